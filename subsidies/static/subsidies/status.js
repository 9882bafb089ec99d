// The public status page answered a form it refused (a wrong pair, a wait, a typo): make this
// history entry a plain visit of the page, so that Back to it, or reload, never asks the
// citizen to send the form again (the refused form is not worth sending twice). The found
// result and the rating use post/redirect/get on the server and need nothing here.
(function () {
  "use strict";
  if (document.querySelector("[data-refused-post]") && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.href);
  }
})();
