// Turn on the GOV.UK Frontend components (menus, error summary focus, and so on).
import { initAll } from "/static/build/govuk-frontend.min.js";

initAll();

// The timeout warning: a modal shortly before the server ends an idle session, offering to
// stay signed in. Only signed-in pages carry the dialog.
function startTimeoutWarning(dialog) {
  const idle = Number(dialog.dataset.idleSeconds) * 1000;
  const warning = Math.min(Number(dialog.dataset.warningSeconds) * 1000, idle / 2);
  const countdown = dialog.querySelector(".app-timeout-dialog__countdown");
  const stay = dialog.querySelector("[data-timeout-stay]");
  let returnFocusTo = null;
  let timers = [];

  const describe = (milliseconds) => {
    const seconds = Math.max(0, Math.ceil(milliseconds / 1000));
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minute${minutes === 1 ? "" : "s"}`;
    }
    return `${seconds} second${seconds === 1 ? "" : "s"}`;
  };

  const schedule = () => {
    timers.forEach(clearTimeout);
    const started = Date.now();
    timers = [
      setTimeout(() => {
        returnFocusTo = document.activeElement;
        countdown.textContent = describe(warning);
        dialog.showModal();
        stay.focus();
        const tick = setInterval(() => {
          countdown.textContent = describe(started + idle - Date.now());
        }, 1000);
        timers.push(tick);
      }, idle - warning),
      setTimeout(() => {
        window.location.href = dialog.dataset.timedOutUrl;
      }, idle),
    ];
  };

  stay.addEventListener("click", async () => {
    const response = await fetch(dialog.dataset.keepAliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": dialog.dataset.csrfToken },
      credentials: "same-origin",
    });
    if (!response.ok) {
      window.location.href = dialog.dataset.timedOutUrl;
      return;
    }
    timers.forEach((timer) => {
      clearTimeout(timer);
      clearInterval(timer);
    });
    dialog.close();
    if (returnFocusTo) returnFocusTo.focus();
    schedule();
  });
  // Escape closes a modal dialog; treat it as "stay signed in", as the GOV.UK pattern does.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    stay.click();
  });
  schedule();
}

const timeoutDialog = document.querySelector('[data-app-module="timeout-warning"]');
if (timeoutDialog) startTimeoutWarning(timeoutDialog);
