// The VS Code extension, compiled, with its real `vscode-languageclient`
// against a qbank server, in plain Node. VS Code cannot be downloaded here,
// so a stand-in for the `vscode` module (tests/editors/vscode-stand-in) is
// found through NODE_PATH; the client library, the protocol and the server
// are the real ones.
//
// Run by tests/editors/run.sh:
//   node tests/editors/vscode_client_test.js
// Environment: QBANK_PATH (the server binary, read by the extension, as a
// user's would be), QBANK_TEST_WORKSPACE (a scratch folder), QBANK_TEST_BIN
// (a folder holding `qbank`, for the PATH fallback).
// Prints one line per check and "N passed, N failed"; exits 1 on a failure.
"use strict";

const assert = require("node:assert/strict");
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const repo = path.resolve(__dirname, "..", "..");
const extensionPath = path.join(repo, "editors", "vscode");
process.env.NODE_PATH = [path.join(__dirname, "vscode-stand-in"), process.env.NODE_PATH]
  .filter(Boolean)
  .join(path.delimiter);
Module._initPaths();

const vscode = require("vscode");
// The same module instance the extension loads.
const { State } = Module.createRequire(path.join(extensionPath, "package.json"))("vscode-languageclient/node");

// The server's "today", for the review tests (the extension passes its
// environment on to the server).
const TODAY = "2026-11-30";
process.env.QBANK_TODAY = TODAY;

const binary = process.env.QBANK_PATH;
const workspace = process.env.QBANK_TEST_WORKSPACE;
const binFolder = process.env.QBANK_TEST_BIN;
assert.ok(binary && workspace && binFolder, "QBANK_PATH, QBANK_TEST_WORKSPACE and QBANK_TEST_BIN must be set");

const TIMEOUT = 10_000;
let passed = 0;
let failed = 0;

async function check(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`ok   vscode: ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL vscode: ${name}: ${error && error.stack ? error.stack.split("\n").slice(0, 3).join(" | ") : error}`);
  }
}

async function waitFor(what, condition, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function positionOf(document, text, offset = 0) {
  const index = document.getText().indexOf(text);
  assert.ok(index >= 0, `no ${JSON.stringify(text)} in the note`);
  return document.positionAt(index + offset);
}

function markdownOf(hover) {
  return hover.contents.map((content) => (typeof content === "string" ? content : content.value)).join("\n");
}

function questionHeadings(text) {
  return text.split("\n").filter((line) => /^#+ [A-Z][A-Z0-9]*-\d+ · /.test(line));
}

function codeOf(diagnostic) {
  return typeof diagnostic.code === "object" ? diagnostic.code.value : diagnostic.code;
}

function lineOf(document, text) {
  return positionOf(document, text).line;
}

/** Days from the review to the due date of a marker line. */
function intervalOf(markerLine) {
  const match = /reviewed (\d{4}-\d{2}-\d{2}) \w+ · due (\d{4}-\d{2}-\d{2})/.exec(markerLine);
  assert.ok(match, `not a review marker: ${markerLine}`);
  return (Date.parse(match[2]) - Date.parse(match[1])) / 86_400_000;
}

/** Asserts that `after` is `before` with one line inserted or replaced at
 * `line`, and returns that line. */
function onlyLineChanged(before, after, line) {
  const old = before.split("\n");
  const now = after.split("\n");
  const inserted = now.length === old.length + 1;
  assert.ok(inserted || now.length === old.length, `the note has ${now.length - old.length} more lines:\n${after}`);
  const expected = [...old];
  expected.splice(line, inserted ? 0 : 1, now[line]);
  assert.deepEqual(now, expected, "lines other than the marker changed");
  return now[line];
}

/** Runs the lens titled `title` over `heading` as VS Code does on a click:
 * its command through the command registry (the client's registration of
 * the server's `qbank.review`). Returns the marker line written. */
async function clickReviewLens(document, heading, title) {
  const line = lineOf(document, heading);
  const lenses = await waitFor(`the review lenses over ${heading}`, async () => {
    const all = await vscode.commands.executeCommand("vscode.executeCodeLensProvider", document.uri, 100);
    const over = all.filter((lens) => lens.range.start.line === line && lens.command);
    return over.some((lens) => lens.command.title === title) && over;
  });
  const lens = lenses.find((candidate) => candidate.command.title === title);
  assert.equal(lens.command.command, "qbank.review");
  const before = document.getText();
  const version = document.version;
  await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
  await waitFor("the marker", () => document.version > version);
  return { lenses, marker: onlyLineChanged(before, document.getText(), line + 1) };
}

function reviewNotes() {
  fs.writeFileSync(
    path.join(workspace, "review.md"),
    [
      "# Review",
      "",
      "## BE-23 · What is ACID compliance, and why is it important in databases?",
      "<!-- qbank: reviewed 2026-11-20 good · due 2026-11-27 · s=7 d=5 n=2 -->",
      "",
      "Atomicity: a transaction happens entirely or not at all. Consistency: constraints hold before and after it.",
      "Isolation: concurrent transactions do not see each other's partial work. Durability: a commit survives a crash.",
      "",
      "## BE-40 · What is SQL injection, and how do you prevent it?",
      "<!-- qbank: reviewed 2026-11-22 hard · due 2026-11-29 · s=7 d=6 n=3 -->",
      "",
      "Input pasted into SQL runs as code: bind parameters, never build a query from strings.",
      "",
    ].join("\n"),
  );
  fs.writeFileSync(
    path.join(workspace, "new.md"),
    [
      "# Never reviewed",
      "",
      "## BE-61 · What is caching, and why is it important for back-end performance?",
      "",
      "A copy of costly data kept nearer the reader: an in-memory cache in front of the database cuts latency and load.",
      "",
      "## BE-62 · What are the differences between in-memory caching and disk-based caching?",
      "",
      "Memory is fast and lost on restart; disk is slower, larger and survives a restart.",
      "",
      "## BE-63 · What is Redis, and how is it used in back-end systems?",
      "",
      "An in-memory key-value store: caches, sessions, rate limits, queues.",
      "",
    ].join("\n"),
  );
}

async function main() {
  // The workspace: a team bank configured through the settings only.
  fs.mkdirSync(path.join(workspace, "team"), { recursive: true });
  // desired_retention here, so that a test tells "the setting was not sent"
  // from "the default was sent".
  fs.writeFileSync(path.join(workspace, ".qbank.toml"), "desired_retention = 0.8\n");
  reviewNotes();
  fs.writeFileSync(
    path.join(workspace, "team", "sre.md"),
    "---\nprefix: SRE\n---\n## Reliability\n1. What is an error budget, and how do you spend it?\n",
  );
  const notePath = path.join(workspace, "note.md");
  fs.writeFileSync(
    notePath,
    [
      "# Notes",
      "",
      "BE-23 is about transactions; SRE-1 is the team's.",
      "",
      "### BE-61 · What is caching, and why is it important for back-end performance?",
      "",
      "BE-999 does not exist.",
      "",
      "Search @cach",
      "",
    ].join("\n"),
  );

  const manifest = JSON.parse(fs.readFileSync(path.join(extensionPath, "package.json"), "utf8"));
  vscode.__test.setup({
    folders: [workspace],
    packageJson: path.join(extensionPath, "package.json"),
    settings: { "qbank.banks": ["team/sre.md"] },
  });

  // VS Code activates on the first markdown document.
  const document = await vscode.workspace.openTextDocument(notePath);
  const editor = await vscode.window.showTextDocument(document);
  const extension = require(path.join(extensionPath, manifest.main));
  const context = vscode.__test.extensionContext(extensionPath);
  let api;

  await check("the manifest activates on markdown and pins the engine", async () => {
    assert.deepEqual(manifest.activationEvents, ["onLanguage:markdown"]);
    assert.equal(manifest.engines.vscode, "^1.91.0");
    assert.equal(document.languageId, "markdown");
    const defaults = manifest.contributes.configurationDefaults["[markdown]"];
    assert.ok(defaults["editor.quickSuggestions"], "no quickSuggestions default for markdown");
    const commands = manifest.contributes.commands.map((command) => `${command.category}: ${command.title}`);
    assert.deepEqual(commands.sort(), [
      "qbank: Insert interview packet…",
      "qbank: Restart server",
      "qbank: Review next due question",
      "qbank: Search questions…",
    ]);
  });

  await check("activation starts the server from QBANK_PATH with the settings", async () => {
    api = await extension.activate(context);
    assert.equal(api.binary?.source, "QBANK_PATH");
    await waitFor("the client to run", () => api.client?.state === State.Running);
    const result = api.client.initializeResult;
    assert.equal(result?.serverInfo?.name, "qbank", `server info: ${JSON.stringify(result?.serverInfo)}`);
    assert.ok(result.capabilities.hoverProvider, "no hover capability");
    assert.deepEqual(api.client.clientOptions.initializationOptions, { banks: ["team/sre.md"] });
    // The team bank reached the server: its question hovers.
    const hovers = await vscode.commands.executeCommand("vscode.executeHoverProvider", document.uri, positionOf(document, "SRE-1", 1));
    assert.ok(hovers.length > 0, "no hover on SRE-1: the banks setting did not reach the server");
    assert.match(markdownOf(hovers[0]), /error budget/);
  });

  await check("completion pops on the server's trigger characters", async () => {
    const triggers = vscode.__test.state.providers.get("completion")?.[0]?.metadata ?? [];
    assert.ok(triggers.includes("-") && triggers.includes("@"), `triggers: ${JSON.stringify(triggers)}`);
  });

  await check("hover on BE-23 goes through the client's provider", async () => {
    const hovers = await vscode.commands.executeCommand("vscode.executeHoverProvider", document.uri, positionOf(document, "BE-23", 2));
    assert.equal(hovers.length, 1);
    assert.ok(hovers[0] instanceof vscode.Hover);
    const text = markdownOf(hovers[0]);
    assert.ok(text.includes("What is ACID compliance, and why is it important in databases?"), text);
    assert.ok(text.includes("Databases and Data Storage"), text);
  });

  await check("completion after @cach offers caching questions, resolved with documentation", async () => {
    const position = positionOf(document, "@cach", "@cach".length);
    const list = await vscode.commands.executeCommand("vscode.executeCompletionItemProvider", document.uri, position, undefined, 1);
    assert.ok(list.items.length > 0, "no items");
    const caching = list.items.filter((item) => `${item.label.label ?? item.label} ${item.detail ?? ""} ${item.filterText ?? ""}`.toLowerCase().includes("cach"));
    assert.ok(caching.length >= 2, `caching items: ${caching.length} of ${list.items.length}`);
    const first = list.items[0];
    const range = first.range?.replacing ?? first.range ?? first.textEdit?.range;
    assert.ok(range, "the first item has no range");
    assert.equal(document.getText(range), "@cach", "the item's range does not cover the trigger and the word");
    assert.ok(first.documentation, "completionItem/resolve gave no documentation");
  });

  await check("\"Insert answer template\" from the client's code action provider edits the note", async () => {
    const expected = execFileSync(binary, ["show", "BE-61", "--template"], { encoding: "utf8" });
    const heading = positionOf(document, "### BE-61", 6);
    const actions = await vscode.commands.executeCommand("vscode.executeCodeActionProvider", document.uri, new vscode.Range(heading, heading));
    const titles = actions.map((action) => action.title);
    const action = actions.find((candidate) => candidate.title === "Insert answer template");
    assert.ok(action, `actions: ${JSON.stringify(titles)}`);
    assert.ok(action instanceof vscode.CodeAction);
    const before = document.getText();
    const version = document.version;
    if (action.edit) {
      assert.ok(await vscode.workspace.applyEdit(action.edit), "the edit was refused");
    }
    if (action.command) {
      await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
    }
    await waitFor("the template", () => document.version > version);
    const after = document.getText();
    const body = expected.split("\n").slice(1).join("\n").trim();
    assert.ok(after.includes(body), `the note does not hold the template:\n${after}`);
    assert.ok(after.startsWith(before.slice(0, before.indexOf("\n\nBE-999"))), "the text before the template changed");
    assert.ok(after.endsWith(before.slice(before.indexOf("\nBE-999"))), "the text after the template changed");
    // The server followed the edit: a key below it still hovers.
    const hovers = await vscode.commands.executeCommand("vscode.executeHoverProvider", document.uri, positionOf(document, "@cach", 0).with(undefined, 0));
    assert.equal(hovers.length, 0, "a hover where there is no key: the server's text is out of step");
  });

  await check("unknown-question arrives as a diagnostic", async () => {
    // Diagnostics of the note as it is now (the template moved BE-999 down).
    const diagnostic = await waitFor("an unknown-question diagnostic", () =>
      vscode.languages
        .getDiagnostics(document.uri)
        .find((candidate) => codeOf(candidate) === "unknown-question" && document.getText(candidate.range) === "BE-999"),
    );
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(diagnostic.source, "qbank");
    assert.equal(document.getText(diagnostic.range), "BE-999");
  });

  await check("\"qbank: Insert interview packet…\" asks count and categories, then inserts the packet", async () => {
    const end = document.positionAt(document.getText().length);
    editor.selection = new vscode.Selection(end, end);
    const headingsBefore = questionHeadings(document.getText()).length;
    const asked = [];
    vscode.__test.answerQuickPicks(
      (items, options) => {
        asked.push(options.placeHolder);
        return items.find((item) => item.label === "5 questions");
      },
      (items, options) => {
        asked.push(options.placeHolder);
        assert.ok(options.canPickMany, "categories are not a multiple choice");
        const labels = items.map((item) => item.label);
        assert.ok(labels.includes("Databases and Data Storage") && labels.includes("Performance Optimization"), `categories: ${labels}`);
        assert.ok(labels.includes("Reliability"), `the team bank's category is missing: ${labels}`);
        return items.filter((item) => item.label === "Databases and Data Storage" || item.label === "Performance Optimization");
      },
    );
    const version = document.version;
    const result = await vscode.commands.executeCommand("qbank.packet");
    assert.equal(asked.length, 2, `quick picks: ${JSON.stringify(asked)}`);
    assert.deepEqual(result, { applied: true }, `the command answered ${JSON.stringify(result)}`);
    await waitFor("the packet", () => document.version > version);
    const text = document.getText();
    assert.equal(questionHeadings(text).length - headingsBefore, 5, text);
    assert.match(text, /^#+ .*5 questions · 2 categories/m);
    const keys = questionHeadings(text).map((line) => /([A-Z][A-Z0-9]*-\d+)/.exec(line)[1]);
    for (const key of keys.slice(headingsBefore)) {
      const question = JSON.parse(execFileSync(binary, ["show", key, "--format", "json"], { encoding: "utf8" }));
      assert.ok(["Databases and Data Storage", "Performance Optimization"].includes(question.category), `${key} is in ${question.category}`);
    }
  });

  await check("\"qbank: Search questions…\" inserts the chosen question", async () => {
    assert.ok(api.client.initializeResult.capabilities.workspaceSymbolProvider, "the server offers no workspace symbols");
    const version = document.version;
    const end = document.positionAt(document.getText().length);
    editor.selection = new vscode.Selection(end, end);
    vscode.__test.onQuickPick((picker, user) => {
      user.type("caching");
      waitFor("questions in the quick pick", () => picker.items.some((item) => /cach/i.test(item.description ?? ""))).then(
        () => user.accept(picker.items.find((item) => /cach/i.test(item.description ?? ""))),
        () => user.accept(undefined),
      );
    });
    const inserted = await vscode.commands.executeCommand("qbank.search");
    assert.ok(inserted, "nothing inserted");
    await waitFor("the insertion", () => document.version > version);
    const lastLine = document.lineAt(document.lineCount - 1).text;
    assert.match(lastLine, /^### [A-Z][A-Z0-9]*-\d+ · .*cach/i);
  });

  await check("a changed setting reaches the running server", async () => {
    const sre = positionOf(document, "SRE-1", 1);
    await vscode.__test.updateConfiguration("qbank.banks", undefined);
    await waitFor("SRE-1 to be gone from the server's banks", async () => {
      const hovers = await vscode.commands.executeCommand("vscode.executeHoverProvider", document.uri, sre);
      return hovers.length === 0;
    });
    await vscode.__test.updateConfiguration("qbank.banks", ["team/sre.md"]);
    await waitFor("SRE-1 to be back", async () => {
      const hovers = await vscode.commands.executeCommand("vscode.executeHoverProvider", document.uri, sre);
      return hovers.length === 1 && markdownOf(hovers[0]).includes("error budget");
    });
  });

  const reviewPath = path.join(workspace, "review.md");
  const newPath = path.join(workspace, "new.md");
  let lensInterval;

  await check("\"qbank: Review next due question\" folds the answer, shows it on request, records the rating", async () => {
    const before = fs.readFileSync(reviewPath, "utf8");
    const headingLine = before.split("\n").findIndex((line) => line.startsWith("## BE-23"));
    const lastAnswerLine = before.split("\n").findIndex((line) => line.startsWith("Isolation:"));
    // The background index has read the note.
    await waitFor("BE-23 due in the server", async () => {
      const next = await api.client.sendRequest("workspace/executeCommand", { command: "qbank.nextDue", arguments: [] });
      return next?.key === "BE-23";
    });
    vscode.__test.state.quickPickAnswers.length = 0;
    vscode.__test.state.messages.length = 0;
    vscode.__test.state.folds.length = 0;
    const asked = [];
    vscode.__test.answerQuickPicks(
      (items, options) => {
        asked.push(options.placeHolder);
        assert.deepEqual(items, ["Show answer", "Skip"]);
        assert.match(options.placeHolder, /What is ACID compliance/);
        const editor = vscode.window.activeTextEditor;
        assert.equal(editor?.document.uri.fsPath, reviewPath, "the note is not the active editor");
        assert.equal(editor.selection.active.line, headingLine, "the cursor is not on the heading");
        assert.ok(vscode.__test.state.revealed.some((shown) => shown.document === editor.document && shown.range.start.line === headingLine), "the heading was not revealed");
        const folds = vscode.__test.state.folds.filter((fold) => fold.document === editor.document);
        assert.deepEqual(folds.map((fold) => fold.command), ["editor.fold"], "no fold before the answer was asked for");
        assert.ok(folds[0].region, `no folding range at line ${folds[0].line}`);
        assert.equal(folds[0].region.start, headingLine, "the fold does not start at the heading");
        assert.ok(folds[0].region.end >= lastAnswerLine, `the fold ends at ${folds[0].region.end}, before the answer's last line ${lastAnswerLine}`);
        return "Show answer";
      },
      (items, options) => {
        asked.push(options.placeHolder);
        const folds = vscode.__test.state.folds.map((fold) => `${fold.command} ${fold.line}`);
        assert.deepEqual(folds, [`editor.fold ${headingLine}`, `editor.unfold ${headingLine}`], "the answer was not unfolded");
        assert.deepEqual(items.map((item) => item.label), ["Again", "Hard", "Good", "Easy"]);
        return items.find((item) => item.label === "Good");
      },
    );
    const rated = await vscode.commands.executeCommand("qbank.reviewNext");
    assert.equal(asked.length, 2, `quick picks: ${JSON.stringify(asked)}`);
    assert.equal(rated, "good");
    const document = vscode.window.activeTextEditor.document;
    const marker = onlyLineChanged(before, document.getText(), headingLine + 1);
    assert.ok(marker.startsWith(`<!-- qbank: reviewed ${TODAY} good · due `), marker);
    const due = /due (\d{4}-\d{2}-\d{2})/.exec(marker)[1];
    assert.deepEqual(
      vscode.__test.state.messages.map((shown) => `${shown.level}: ${shown.text}`),
      [`information: qbank: BE-23 rated good, next review on ${due}.`],
    );
  });

  await check("a rating for a version the note has left is refused: the error is shown, the text kept", async () => {
    const document = await vscode.workspace.openTextDocument(reviewPath);
    // The server's summary of the note follows the rating (debounced).
    await waitFor("BE-40 next due in the server", async () => {
      const next = await api.client.sendRequest("workspace/executeCommand", { command: "qbank.nextDue", arguments: [] });
      return next?.key === "BE-40";
    });
    vscode.__test.state.quickPickAnswers.length = 0;
    vscode.__test.state.messages.length = 0;
    let edited;
    vscode.__test.answerQuickPicks(
      (items, options) => {
        // BE-23 was rated: BE-40 is the next one due.
        assert.match(options.placeHolder, /SQL injection/);
        return "Show answer";
      },
      async (items) => {
        // The note changes while the rating is asked (another editor, a
        // formatter, a checkout).
        const end = document.positionAt(document.getText().length);
        const edit = new vscode.WorkspaceEdit();
        edit.insert(document.uri, end, "Edited while the rating was asked.\n");
        assert.ok(await vscode.workspace.applyEdit(edit));
        edited = document.getText();
        return items.find((item) => item.label === "Good");
      },
    );
    const rated = await vscode.commands.executeCommand("qbank.reviewNext");
    assert.equal(rated, undefined);
    assert.ok(edited, "the rating was never asked");
    assert.equal(document.getText(), edited, "the note changed after the refusal");
    const shown = vscode.__test.state.messages;
    assert.equal(shown.length, 1, JSON.stringify(shown));
    assert.equal(shown[0].level, "error");
    assert.match(shown[0].text, /^qbank: BE-40 was not rated: the note changed while it was shown \(the document is at version \d+, not \d+/);
  });

  await check("the \"Good\" lens of a never-reviewed answer, run as VS Code runs it, writes the marker", async () => {
    const document = await vscode.workspace.openTextDocument(newPath);
    await vscode.window.showTextDocument(document);
    const { lenses, marker } = await clickReviewLens(document, "## BE-61", "Good");
    const review = lenses.filter((lens) => !/^covers /.test(lens.command.title));
    assert.deepEqual(review.map((lens) => lens.command.title), ["New", "Again", "Hard", "Good", "Easy"]);
    assert.ok(marker.startsWith(`<!-- qbank: reviewed ${TODAY} good · due `), marker);
    lensInterval = intervalOf(marker);
  });

  await check("desiredRetention reaches the server when set, and is not sent when unset (.qbank.toml decides)", async () => {
    assert.ok(lensInterval > 0, "no interval from the lens test");
    const document = await vscode.workspace.openTextDocument(newPath);
    await vscode.__test.updateConfiguration("qbank.desiredRetention", 0.7);
    assert.equal(extension.serverSettings().desiredRetention, 0.7);
    const lower = intervalOf((await clickReviewLens(document, "## BE-62", "Good")).marker);
    assert.ok(lower > lensInterval, `retention 0.7 gave ${lower} days, .qbank.toml's 0.8 ${lensInterval}`);
    await vscode.__test.updateConfiguration("qbank.desiredRetention", undefined);
    assert.ok(!("desiredRetention" in extension.serverSettings()), JSON.stringify(extension.serverSettings()));
    const fromToml = intervalOf((await clickReviewLens(document, "## BE-63", "Good")).marker);
    assert.equal(fromToml, lensInterval, "with the setting unset, .qbank.toml's desired_retention did not decide");
  });

  await check("reviewHints: off hides the review-due hints, unset brings them back", async () => {
    const document = await vscode.workspace.openTextDocument(reviewPath);
    const reviewDue = () => vscode.languages.getDiagnostics(document.uri).filter((diagnostic) => codeOf(diagnostic) === "review-due");
    // BE-40 is still due (its rating was refused).
    await waitFor("a review-due hint on BE-40", () => reviewDue().some((hint) => hint.range.start.line === lineOf(document, "## BE-40")));
    await vscode.__test.updateConfiguration("qbank.reviewHints", false);
    assert.equal(extension.serverSettings().reviewHints, false);
    await waitFor("no review-due hints", () => reviewDue().length === 0);
    await vscode.__test.updateConfiguration("qbank.reviewHints", undefined);
    assert.ok(!("reviewHints" in extension.serverSettings()));
    await waitFor("the review-due hints back", () => reviewDue().length > 0);
  });

  await check("\"Skip\" leaves the question unrated and its answer unfolded", async () => {
    const document = await vscode.workspace.openTextDocument(reviewPath);
    const before = document.getText();
    const headingLine = lineOf(document, "## BE-40");
    vscode.__test.state.quickPickAnswers.length = 0;
    vscode.__test.state.messages.length = 0;
    vscode.__test.state.folds.length = 0;
    const asked = [];
    vscode.__test.answerQuickPicks((items, options) => {
      asked.push(options.placeHolder);
      return "Skip";
    });
    const rated = await vscode.commands.executeCommand("qbank.reviewNext");
    assert.equal(rated, undefined);
    assert.equal(asked.length, 1, `quick picks: ${JSON.stringify(asked)}`);
    assert.match(asked[0], /SQL injection/);
    const folds = vscode.__test.state.folds.map((fold) => `${fold.command} ${fold.line} ${fold.region?.start}`);
    assert.deepEqual(folds, [`editor.fold ${headingLine} ${headingLine}`, `editor.unfold ${headingLine} ${headingLine}`]);
    assert.equal(document.getText(), before);
    assert.deepEqual(vscode.__test.state.messages, []);
  });

  await check("\"qbank: Restart server\" starts a new server", async () => {
    const old = api.client;
    await vscode.commands.executeCommand("qbank.restart");
    assert.notEqual(api.client, old);
    assert.equal(old.state, State.Stopped);
    await waitFor("the new client to run", () => api.client?.state === State.Running);
    const hovers = await vscode.commands.executeCommand("vscode.executeHoverProvider", document.uri, positionOf(document, "BE-23", 2));
    assert.ok(hovers.length === 1 && markdownOf(hovers[0]).includes("ACID"), "no hover after the restart");
  });

  await check("without QBANK_PATH: the qbank.path setting, then PATH", async () => {
    delete process.env.QBANK_PATH;
    await vscode.__test.updateConfiguration("qbank.path", binary);
    await waitFor("a restart from qbank.path", () => api.binary?.source === "qbank.path" && api.client?.state === State.Running);
    const savedPath = process.env.PATH;
    process.env.PATH = `${binFolder}${path.delimiter}${savedPath}`;
    try {
      await vscode.__test.updateConfiguration("qbank.path", undefined);
      await waitFor("a restart from PATH", () => api.binary?.source === "PATH" && api.client?.state === State.Running);
      assert.equal(api.binary.path, path.join(binFolder, "qbank"));
    } finally {
      process.env.PATH = savedPath;
    }
  });

  await check("no binary: a clear error with a button that opens the setting", async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = "/nonexistent";
    vscode.__test.state.messages.length = 0;
    vscode.__test.state.executed.length = 0;
    vscode.__test.answerMessages("Open setting");
    try {
      await vscode.commands.executeCommand("qbank.restart");
    } finally {
      process.env.PATH = savedPath;
    }
    assert.equal(api.client, undefined);
    const error = vscode.__test.state.messages.find((message) => message.level === "error");
    assert.ok(error, "no error message");
    assert.match(error.text, /cannot find the `qbank` binary/);
    assert.deepEqual(error.items, ["Open setting"]);
    await waitFor("the settings to open", () =>
      vscode.__test.state.executed.some((call) => call.command === "workbench.action.openSettings" && call.args[0] === "qbank.path"),
    );
  });

  await check("deactivation stops the server", async () => {
    process.env.QBANK_PATH = binary;
    await vscode.commands.executeCommand("qbank.restart");
    await waitFor("the client to run", () => api.client?.state === State.Running);
    const running = api.client;
    await extension.deactivate();
    assert.equal(running.state, State.Stopped);
  });

  console.log(`vscode: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

main().catch((error) => {
  console.log(`FAIL vscode: ${error.stack}`);
  console.log(`vscode: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
