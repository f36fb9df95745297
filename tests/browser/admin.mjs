// The admin of a running site, driven in Chromium as a person would: log in (a wrong password
// first), find a model, add a question with three choices inline (an empty required field
// first), edit it, read its history, filter and search, add a choice whose question is found by
// a search, see less as a user whose group may only view, then delete the question through the
// action and its confirmation page. Every page must load without a console error
// (a Content-Security-Policy violation shows as one) and every form must carry its CSRF token.
//
// Usage: node admin.mjs BASE_URL USERNAME PASSWORD READER SCREENSHOT_DIR
// (READER: a staff user, same password, whose group has only the polls' view permissions)
// Run by examples/hello-fullstack/tests/admin_browser.rs, which serves the site on a real socket.

import { chromium } from "playwright-core";

const [base, username, password, reader, shots] = process.argv.slice(2);
if (!base || !username || !password || !reader || !shots) {
  console.error("usage: node admin.mjs BASE_URL USERNAME PASSWORD READER SCREENSHOT_DIR");
  process.exit(2);
}

const problems = [];
function check(ok, what) {
  if (ok) {
    console.log(`ok: ${what}`);
  } else {
    console.log(`FAILED: ${what}`);
    problems.push(what);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // Root in a container has no user namespace for the sandbox.
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const consoleErrors = [];
  // A failed load shows in the console without its URL: record the URLs here. The favicon is
  // the site's to provide (Django's admin has none either).
  const failedLoads = [];
  page.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    if (r.status() >= 400 && path !== "/favicon.ico" && r.request().resourceType() !== "document") {
      failedLoads.push(`${r.status()} ${r.url()}`);
    }
  });
  page.on("console", (m) => {
    const text = m.text();
    if (m.type() === "error" && !text.startsWith("Failed to load resource")) {
      consoleErrors.push(`${page.url()}: ${text}`);
    }
  });
  page.on("pageerror", (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  const everyFormHasItsToken = async (where) => {
    const missing = await page.$$eval(
      "form[method=post]",
      (forms) => forms.filter((f) => !f.querySelector("input[name=csrfmiddlewaretoken]")).length,
    );
    check(missing === 0, `${where}: every POST form carries a CSRF token`);
  };
  const message = async () => (await page.locator(".messagelist").textContent().catch(() => "")) || "";

  // Anonymous: sent to the login page, which keeps where we were going.
  await page.goto(`${base}/admin/`);
  check(new URL(page.url()).pathname === "/admin/login/", "an anonymous visitor is sent to log in");
  await everyFormHasItsToken("login");
  await page.screenshot({ path: `${shots}/admin-login.png` });

  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", "not the password");
  await page.click("#login-form button[type=submit]");
  check(
    (await page.content()).includes("Please enter the correct username and password"),
    "a wrong password shows the login form again with Django's message",
  );

  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await page.click("#login-form button[type=submit]");
  check(new URL(page.url()).pathname === "/admin/", "logging in leads to the index");
  check((await page.textContent("body")).includes("Polls administration"), "the site header shows");
  await page.screenshot({ path: `${shots}/admin-index.png` });

  // The model's change list, from the index.
  await page.click('a[href="/admin/polls/question/"]');
  check(new URL(page.url()).pathname === "/admin/polls/question/", "the index links to the questions");
  await everyFormHasItsToken("change list");

  // Add: an empty required field first, shown again with its error.
  await page.click("a.addlink");
  check(new URL(page.url()).pathname === "/admin/polls/question/add/", "the add link opens the form");
  await everyFormHasItsToken("add form");
  await page.click('button[name="_save"]');
  check((await page.textContent("body")).includes("This field is required."), "an empty required field is shown with its error");
  check((await page.locator("[aria-invalid=true]").count()) > 0, "the invalid field is marked aria-invalid");
  await page.screenshot({ path: `${shots}/admin-form-errors.png`, fullPage: true });

  await page.fill("[name=question_text]", "Made in a browser?");
  const pubDate = page.locator("[name=pub_date]");
  const kind = await pubDate.getAttribute("type");
  await pubDate.fill(kind === "datetime-local" ? "2026-01-02T03:04" : "2026-01-02 03:04:05");
  // Its choices, in the inline under the question's fields.
  check((await page.locator("fieldset.inline-group legend").textContent()) === "Choices", "the choices inline shows");
  await page.fill("[name=polls_choice-0-choice_text]", "Yes");
  await page.fill("[name=polls_choice-1-choice_text]", "No");
  await page.fill("[name=polls_choice-2-choice_text]", "Maybe");
  await page.click('button[name="_continue"]');
  check(/\/admin\/polls\/question\/\d+\/change\/$/.test(page.url()), "save and continue stays on the row's page");
  check((await page.inputValue("[name=polls_choice-0-choice_text]")) === "Yes", "the first choice was saved with the question");
  check((await page.inputValue("[name=polls_choice-1-choice_text]")) === "No", "the second too");
  check((await page.inputValue("[name=polls_choice-2-choice_text]")) === "Maybe", "and the third");
  check((await page.inputValue("[name=polls_choice-3-choice_text]")) === "", "then blank forms for new choices");
  await page.screenshot({ path: `${shots}/admin-inline.png`, fullPage: true });
  check((await message()).includes("was added successfully"), "the success message shows");
  check((await page.inputValue("[name=question_text]")) === "Made in a browser?", "the saved value is shown again");

  // Edit and save: back to the list, with the message; one choice deleted on the way.
  await page.fill("[name=question_text]", "Made and edited in a browser?");
  await page.check("[name=polls_choice-1-DELETE]");
  await page.click('button[name="_save"]');
  check(new URL(page.url()).pathname === "/admin/polls/question/", "save goes back to the list");
  check((await message()).includes("was changed successfully"), "the change message shows");
  check((await page.textContent("#result_list")).includes("Made and edited in a browser?"), "the list shows the edit");
  await page.screenshot({ path: `${shots}/admin-change-list.png`, fullPage: true });

  await page.click("#result_list tbody a");
  check((await page.inputValue("[name=polls_choice-0-choice_text]")) === "Yes", "the kept choice is there");
  check((await page.inputValue("[name=polls_choice-1-choice_text]")) === "Maybe", "the deleted one is gone");

  // The history says who did what.
  await page.click("a.historylink");
  const history = await page.textContent("body");
  check(history.includes("Added. Added 3 choices."), "the history has the addition with its choices");
  check(history.includes("Changed question text. Deleted 1 choice."), "and the change");
  check(history.includes(username), "and who made them");
  await page.screenshot({ path: `${shots}/admin-history.png`, fullPage: true });
  await page.goto(`${base}/admin/polls/question/`);

  // Filters: the date's choices narrow the list and say which is on.
  await page.click("#changelist-filter a:text-is('Today')");
  check((await page.locator("#result_list tbody tr").count()) === 0, "a question of January is not today's");
  check((await page.locator("#changelist-filter li.selected").textContent()).includes("Today"), "the filter on is marked");
  await page.click("#changelist-filter a:text-is('Any date')");
  check((await page.locator("#result_list tbody tr").count()) === 1, "any date shows it again");

  // Search narrows the list.
  await page.fill("#searchbar", "edited in a browser");
  await page.click("#changelist-search button[type=submit]");
  const rows = await page.locator("#result_list tbody tr").count();
  check(rows === 1, `the search finds the one row (found ${rows})`);

  // A choice's question, found by typing part of it (autocomplete_fields), not picked from a
  // select of every question.
  await page.goto(`${base}/admin/polls/choice/add/`);
  check((await page.locator("select[name=question]").count()) === 0, "a choice's question is not a select of every question");
  await page.fill("#id_question_search", "edited in");
  const found = page.locator("#id_question_results button", { hasText: "Made and edited in a browser?" });
  await found.waitFor({ timeout: 5000 });
  await page.screenshot({ path: `${shots}/admin-autocomplete.png`, fullPage: true });
  await found.click();
  check(
    (await page.locator("strong.key-label[data-for=question]").textContent()) === "Made and edited in a browser?",
    "the chosen question's label shows beside the field",
  );
  await page.fill("[name=choice_text]", "Found by a search");
  await page.click('button[name="_save"]');
  check(new URL(page.url()).pathname === "/admin/polls/choice/", "the choice is saved");
  check((await page.textContent("#result_list")).includes("Found by a search"), "and listed with its question");
  await page.goto(`${base}/admin/polls/question/?q=edited+in+a+browser`);

  // A user whose group may only view: the same list without the add link or the actions, the
  // row without buttons, and a forged save refused.
  const other = await browser.newContext();
  const readerPage = await other.newPage();
  await readerPage.goto(`${base}/admin/login/`);
  await readerPage.fill("input[name=username]", reader);
  await readerPage.fill("input[name=password]", password);
  await readerPage.click("#login-form button[type=submit]");
  check(new URL(readerPage.url()).pathname === "/admin/", "the reader logs in");
  await readerPage.goto(`${base}/admin/polls/question/`);
  check((await readerPage.textContent("#result_list")).includes("Made and edited in a browser?"), "the reader sees the question");
  check((await readerPage.locator("a.addlink").count()) === 0, "but no add link");
  check((await readerPage.locator("select[name=action]").count()) === 0, "and no actions");
  await readerPage.click("#result_list tbody a");
  check((await readerPage.textContent("h1")).startsWith("View question"), "the row is shown to view");
  check((await readerPage.locator("button[name=_save]").count()) === 0, "without a save button");
  const forged = await readerPage.evaluate(async () => {
    const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
    const body = new URLSearchParams({ csrfmiddlewaretoken: token, question_text: "hacked", _save: "" });
    const r = await fetch(location.href, { method: "POST", body, redirect: "manual" });
    return r.status;
  });
  check(forged === 403, `a forged save by the reader is refused (${forged})`);
  await readerPage.screenshot({ path: `${shots}/admin-view-only.png`, fullPage: true });
  await other.close();

  // Delete through the action and its confirmation page.
  await page.check("#result_list tbody input[type=checkbox]");
  await page.selectOption("select[name=action]", "delete_selected");
  await page.click("#changelist-form .actions button[type=submit]");
  check((await page.textContent("body")).includes("Are you sure"), "the action asks for confirmation");
  await everyFormHasItsToken("delete confirmation");
  await page.screenshot({ path: `${shots}/admin-delete-confirmation.png`, fullPage: true });
  await page.click("text=Yes, I’m sure");
  check((await message()).includes("Successfully deleted 1 question"), "the deletion is confirmed");
  check(!(await page.textContent("body")).includes("Made and edited in a browser?"), "the row is gone");

  check(consoleErrors.length === 0, `no console errors (${consoleErrors.join(" | ")})`);
  check(failedLoads.length === 0, `every stylesheet and script loads (${failedLoads.join(" | ")})`);
} finally {
  await browser.close();
}

if (problems.length) {
  console.log(`${problems.length} check(s) failed`);
  process.exit(1);
}
console.log("all browser checks passed");
