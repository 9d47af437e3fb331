// Turn on the GOV.UK Frontend components (menus, error summary focus, and so on).
import { initAll } from "/static/build/govuk-frontend.min.js";

initAll();
