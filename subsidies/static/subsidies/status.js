// The public status page.
//
// 1. The page answered a form it refused (a wrong pair, a wait, a typo) sent by the browser
//    itself: make this history entry a plain visit of the page, so that Back to it, or
//    reload, never asks the citizen to send the form again (the refused form is not worth
//    sending twice). A found result and the rating use post/redirect/get on the server.
// 2. The lookup form is sent by this script (one request, where the form alone takes two: the
//    POST and the redirected GET): the server answers the page's body alone (the header
//    X-Status-Body), found or refused, which takes the place of the body shown. What the server
//    records, keeps for a reload and refuses is the same as for the form sent by the browser.
//    If the answer is not the body (the network failed, a server error) or does not come
//    within 15 seconds, the browser sends the form itself, as without this script.
(function () {
  "use strict";
  if (document.querySelector("[data-refused-post]") && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.href);
  }
  var body = document.getElementById("status-body");
  if (
    !body ||
    !window.fetch ||
    !window.URLSearchParams ||
    !window.FormData ||
    !window.FormData.prototype.entries // URLSearchParams(FormData) needs it (old Safari)
  ) {
    return;
  }
  var swapped = false;

  function focusAnswer() {
    // The result's heading, else the field to correct, else the message: where a reader goes.
    var error = body.querySelector("#lookup-error");
    var target =
      body.querySelector("#status-result-title") ||
      body.querySelector("[aria-invalid='true']") ||
      body.querySelector("[autofocus]") ||
      error;
    if (!target) {
      return;
    }
    if (target.id === "status-result-title") {
      target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
      window.scrollTo(0, 0); // the page's header above the result, as on a page loaded anew
      return;
    }
    if (target === error) {
      target.setAttribute("tabindex", "-1");
    } else if (error) {
      // The field to type again is read with the message (inserted, it may not be announced).
      var described = target.getAttribute("aria-describedby");
      target.setAttribute("aria-describedby", (described ? described + " " : "") + error.id);
    }
    target.focus();
  }

  body.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-lookup")) {
      return; // the rating form is sent by the browser (post/redirect/get)
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return; // a second tap while the first is on its way: one lookup
    }
    form.setAttribute("aria-busy", "true");
    var button = form.querySelector("button");
    if (button) {
      button.disabled = true;
    }
    var controller = window.AbortController ? new window.AbortController() : null;
    var wait = Number(body.getAttribute("data-wait-ms")) || 15000; // ms; the attribute: tests
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, wait) : 0;
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "X-Status-Body": "1" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        if (response.headers.get("X-Status-Body") !== "1") {
          throw new Error("not the page's body");
        }
        return response.text();
      })
      .then(function (html) {
        window.clearTimeout(timer);
        body.innerHTML = html;
        swapped = true;
        focusAnswer();
      })
      .catch(function () {
        window.clearTimeout(timer);
        form.removeAttribute("aria-busy");
        if (button) {
          button.disabled = false;
        }
        HTMLFormElement.prototype.submit.call(form); // as without this script
      });
  });

  // Back to this page from the browser's cache would show the body as it was (a rating form
  // already sent): the page as the server has it now instead.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && swapped) {
      window.location.reload();
    }
  });
})();
