// The public status page.
//
// 1. The page answered a form it refused (a wrong pair, a wait, a typo): make this history entry
//    a plain visit of the page, so that Back to it, or reload, never asks the citizen to send the
//    form again (the refused form is not worth sending twice). The found result and the rating
//    use post/redirect/get on the server and need nothing here.
// 2. The lookup form is sent by this script (one request, where the form alone takes two: the
//    POST and the redirected GET): the server answers the page's body alone (the header
//    X-Status-Body), found or refused, which takes the place of the body shown. What the server
//    records, keeps for a reload and refuses is the same as for the form sent by the browser;
//    if the answer is not the body (a network error, a server error), the browser sends the
//    form itself, as without this script.
(function () {
  "use strict";
  if (document.querySelector("[data-refused-post]") && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.href);
  }
  var body = document.getElementById("status-body");
  if (!body || !window.fetch || !window.FormData || !window.URLSearchParams) {
    return;
  }
  var swapped = false;

  function focusAnswer() {
    // The result's heading, else the field to correct, else the message: where a reader goes.
    var target =
      body.querySelector("#status-result-title") ||
      body.querySelector("[aria-invalid='true']") ||
      body.querySelector("[autofocus]") ||
      body.querySelector("#lookup-error");
    if (!target) {
      return;
    }
    if (!/^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName)) {
      target.setAttribute("tabindex", "-1");
    }
    if (target.id === "status-result-title") {
      target.focus({ preventScroll: true });
      window.scrollTo(0, 0); // the page's header above the result, as on a page loaded anew
    } else {
      target.focus();
    }
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
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "X-Status-Body": "1" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (response.headers.get("X-Status-Body") !== "1") {
          throw new Error("not the page's body");
        }
        return response.text();
      })
      .then(function (html) {
        body.innerHTML = html;
        swapped = true;
        focusAnswer();
      })
      .catch(function () {
        form.removeAttribute("aria-busy");
        HTMLFormElement.prototype.submit.call(form); // as without this script
      });
  });

  // Back to this page from the cache would show the body as it was (a rating form already sent):
  // the page as the server has it now instead.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && swapped) {
      window.location.reload();
    }
  });
})();
