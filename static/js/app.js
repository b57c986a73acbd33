// Initialise GOV.UK Frontend and MOJ Frontend components (loaded as a module: CSP allows only 'self').
import { createAll, initAll as initGovuk } from "../vendor/govuk-frontend.min.js";
import { FilterToggleButton, initAll as initMoj } from "../vendor/moj-frontend.min.js";

// A browser that runs module scripts supports GOV.UK Frontend's JavaScript.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initGovuk();
initMoj();
// Not in MOJ's initAll: the inbox filter's "Show filter" button on small screens.
createAll(FilterToggleButton);
