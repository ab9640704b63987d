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
// Outside the workspace: fake binaries, and the extension's folder (its
// package.json, and `server/qbank` when a test bundles one).
const scratch = fs.mkdtempSync(path.join(path.dirname(workspace), "vscode-scratch-"));
const installed = path.join(scratch, "extension");
fs.mkdirSync(installed);
fs.copyFileSync(path.join(extensionPath, "package.json"), path.join(installed, "package.json"));

// Shorter against the fake server (run.sh): a server that answers nothing
// fails every wait anyway.
const TIMEOUT = Number(process.env.QBANK_TEST_TIMEOUT_MS) || 10_000;
let passed = 0;
let failed = 0;
// The extension must catch every rejected promise it starts.
const unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(String(reason?.stack ?? reason)));

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

/** Writes an executable shell script into the scratch folder. */
function script(name, body, mode = 0o755) {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode });
  fs.chmodSync(file, mode);
  return file;
}

/** The hover on BE-23 in `document` works: a real server is running. */
async function hoverWorks(document, what) {
  // A server just started may still be loading its banks.
  await waitFor(`the hover on BE-23 ${what}`, async () => {
    const hovers = await vscode.commands.executeCommand("vscode.executeHoverProvider", document.uri, positionOf(document, "BE-23", 2));
    return hovers.length === 1 && markdownOf(hovers[0]).includes("ACID");
  });
}

function status() {
  return vscode.__test.state.statusBarItems.get("qbank.status");
}

function outputLines() {
  return vscode.__test.state.output.find((channel) => channel.name === "qbank").lines;
}

function errorMessages() {
  return vscode.__test.state.messages.filter((message) => message.level === "error").map((message) => message.text);
}

/** Forgets answers and messages a failed test may have left. */
function freshPrompts() {
  vscode.__test.state.quickPickAnswers.length = 0;
  vscode.__test.state.messageAnswers.length = 0;
  vscode.__test.state.messages.length = 0;
}

/** Restarts and waits for the extension to settle: running, or failed. */
async function restartAndSettle(api) {
  await vscode.commands.executeCommand("qbank.restart");
  await waitFor("the server to run or fail", () => api.client?.state === State.Running || status().text === "qbank · failed");
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
  // The extension's code from the repository, its folder a copy (a test
  // puts a bundled server there).
  const context = vscode.__test.extensionContext(installed);
  let api;

  await check("the manifest activates on markdown and pins the engine", async () => {
    assert.deepEqual(manifest.activationEvents, ["onLanguage:markdown"]);
    assert.equal(manifest.engines.vscode, "^1.91.0");
    assert.equal(document.languageId, "markdown");
    // No editor defaults for every markdown file of the user's.
    assert.equal(manifest.contributes.configurationDefaults, undefined);
    const commands = manifest.contributes.commands.map((command) => `${command.category}: ${command.title}`);
    assert.deepEqual(commands.sort(), [
      "qbank: Insert interview packet…",
      "qbank: Restart server",
      "qbank: Review next due question",
      "qbank: Search questions…",
      "qbank: Show interview scores…",
      "qbank: Show output",
    ]);
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces, {
      supported: "limited",
      description: manifest.capabilities.untrustedWorkspaces.description,
      restrictedConfigurations: ["qbank.path"],
    });
    const properties = manifest.contributes.configuration.properties;
    assert.equal(properties["qbank.trace.server"].scope, "window");
    // Every setting sent to the server is declared, with no default shown
    // that is not in force (.qbank.toml decides what the user left alone).
    for (const key of ["builtin", "banks", "mode", "templates", "packetSize", "coverage", "desiredRetention", "reviewHints"]) {
      const schema = properties[`qbank.${key}`];
      assert.ok(schema, `qbank.${key} is not declared`);
      assert.equal(schema.default, null, `qbank.${key} shows the default ${JSON.stringify(schema.default)}`);
      assert.equal(schema.scope, "language-overridable", `qbank.${key} cannot be set per folder and language`);
    }
  });

  await check("activation starts the server from QBANK_PATH with the settings", async () => {
    api = await extension.activate(context);
    assert.equal(api.binary?.source, "QBANK_PATH");
    assert.match(api.binary.version, /^\d+\.\d+\.\d+$/);
    assert.equal(status().history[0], "qbank · starting");
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
    let shownItems = [];
    vscode.__test.onQuickPick((picker, user) => {
      user.type("caching");
      waitFor("questions in the quick pick", () => picker.items.some((item) => /cach/i.test(item.description ?? ""))).then(
        () => {
          shownItems = picker.items;
          user.accept(picker.items.find((item) => /cach/i.test(item.description ?? "")));
        },
        () => user.accept(undefined),
      );
    });
    const inserted = await vscode.commands.executeCommand("qbank.search");
    assert.ok(inserted, "nothing inserted");
    assert.ok(shownItems.length > 0 && shownItems.every((item) => item.alwaysShow === true), "items without alwaysShow");
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

  await check("settings are read per folder and per language, and only those set are sent", async () => {
    freshPrompts();
    const sre = positionOf(document, "SRE-1", 1);
    const folderMarkdown = { target: "workspaceFolder", folder: workspace, language: "markdown" };
    // The banks move from the user's settings to the folder's, for markdown.
    await vscode.__test.updateConfiguration("qbank.banks", undefined);
    await vscode.__test.updateConfiguration("qbank.banks", ["team/sre.md"], folderMarkdown);
    // A workspace value, beaten by the folder's; one of another folder is
    // not this folder's.
    await vscode.__test.updateConfiguration("qbank.mode", "interview", { target: "workspace" });
    await vscode.__test.updateConfiguration("qbank.mode", "study", { target: "workspaceFolder", folder: workspace });
    await vscode.__test.updateConfiguration("qbank.coverage", false, { target: "workspaceFolder", folder: path.join(scratch, "elsewhere") });
    try {
      assert.deepEqual(extension.serverSettings(), { banks: ["team/sre.md"], mode: "study" });
      await waitFor("SRE-1 hovering with the folder's markdown banks", async () => {
        const hovers = await vscode.commands.executeCommand("vscode.executeHoverProvider", document.uri, sre);
        return hovers.length === 1 && markdownOf(hovers[0]).includes("error budget");
      });
    } finally {
      await vscode.__test.updateConfiguration("qbank.mode", undefined, { target: "workspace" });
      await vscode.__test.updateConfiguration("qbank.mode", undefined, { target: "workspaceFolder", folder: workspace });
      await vscode.__test.updateConfiguration("qbank.coverage", undefined, { target: "workspaceFolder", folder: path.join(scratch, "elsewhere") });
      await vscode.__test.updateConfiguration("qbank.banks", undefined, folderMarkdown);
      await vscode.__test.updateConfiguration("qbank.banks", ["team/sre.md"]);
    }
    assert.deepEqual(extension.serverSettings(), { banks: ["team/sre.md"] });
  });

  await check("the search shows what the server found by several words (alwaysShow)", async () => {
    freshPrompts();
    let shown = [];
    vscode.__test.onQuickPick((picker, user) => {
      // Not a substring of any question: VS Code's own filter would hide
      // every item.
      user.type("prevent injection sql");
      waitFor("questions in the quick pick", () => picker.items.length > 0).then(
        () => {
          shown = picker.items;
          user.accept(undefined);
        },
        () => user.accept(undefined),
      );
    });
    await vscode.commands.executeCommand("qbank.search");
    const injection = shown.find((item) => /SQL injection/.test(item.description ?? ""));
    assert.ok(injection, `no SQL injection question among ${shown.map((item) => item.label)}`);
    assert.ok(!`${injection.label} ${injection.description}`.toLowerCase().includes("prevent injection sql"));
    assert.equal(injection.alwaysShow, true);
  });

  await check("qbank.trace.server traces the protocol in the qbank channel, with no log level to change", async () => {
    const lines = outputLines();
    await vscode.__test.updateConfiguration("qbank.trace.server", "verbose");
    try {
      lines.length = 0;
      await hoverWorks(document, "while tracing");
      const trace = lines.join("\n");
      assert.match(trace, /Sending request 'textDocument\/hover/);
      assert.match(trace, /Received response 'textDocument\/hover[^]*ACID/, "the verbose trace lacks the hover's contents");
    } finally {
      await vscode.__test.updateConfiguration("qbank.trace.server", undefined);
    }
    lines.length = 0;
    await hoverWorks(document, "after tracing");
    assert.ok(!lines.some((line) => line.includes("Sending request")), `traced with the setting off: ${lines}`);
  });

  await check("\"qbank: Show output\" shows the channel with the server's log", async () => {
    const channel = vscode.__test.state.output.find((one) => one.name === "qbank");
    const shown = channel.shown;
    await vscode.commands.executeCommand("qbank.showOutput");
    assert.equal(channel.shown, shown + 1);
    await vscode.commands.executeCommand("qbank.restart");
    await waitFor("the server's log on stderr in the channel", () => /ready \(1 workspace folder/.test(channel.lines.join("")));
    assert.equal(status().command, "qbank.showOutput", "a click on the status bar does not show the output");
  });

  await check("the status bar: the active note's answered and due counts, following edits", async () => {
    const statusPath = path.join(workspace, "status.md");
    fs.writeFileSync(
      statusPath,
      [
        "# Status",
        "",
        // Due today: after the review tests' questions, due before.
        "## BE-28 · What are foreign keys, and how do they work?",
        "<!-- qbank: reviewed 2026-11-23 good · due 2026-11-30 · s=7 d=5 n=2 -->",
        "",
        "A column that refers to another table's key, so that rows cannot point at nothing.",
        "",
        "## BE-14 · What is a proxy server, and how does it work?",
        "",
      ].join("\n"),
    );
    const note = await vscode.workspace.openTextDocument(statusPath);
    await vscode.window.showTextDocument(note);
    await waitFor("1 answered · 1 due", () => status().text === "qbank · 1 answered · 1 due");
    assert.match(String(status().tooltip), /status\.md: 2 questions, 1 answered, 1 due/);
    // An answer typed under BE-40: the counts follow (debounced).
    const edit = new vscode.WorkspaceEdit();
    edit.insert(note.uri, note.positionAt(note.getText().length), "\nA server between clients and other servers that forwards their requests.\n");
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor("2 answered · 1 due", () => status().text === "qbank · 2 answered · 1 due");
    // Another note: its counts.
    await vscode.window.showTextDocument(document);
    await waitFor("the note's counts", () => /^qbank · \d+ answered · 0 due$/.test(status().text));
    const seen = status().history;
    assert.ok(seen.includes("qbank · starting"), JSON.stringify(seen));
    assert.ok(!seen.includes("qbank · failed"), JSON.stringify(seen));
  });

  await check("the status bar while the server indexes: indexing N notes, polled until done", async () => {
    // A server still reading a large workspace answers `indexing: true`:
    // the first two answers say so here, the server's own come after.
    const running = api.client;
    const send = running.sendRequest;
    let asked = 0;
    running.sendRequest = function (type, ...rest) {
      if (type === "qbank/noteStatus" && asked++ < 2) {
        return send.call(this, type, ...rest).then((answer) => ({ ...answer, indexing: true, notes: 40 + asked }));
      }
      return send.call(this, type, ...rest);
    };
    try {
      const history = status().history.length;
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(path.join(workspace, "status.md")));
      await waitFor("the counts once indexed", () => status().text === "qbank · 2 answered · 1 due");
      const seen = status().history.slice(history);
      assert.ok(seen.includes("qbank · indexing 41 notes") && seen.includes("qbank · indexing 42 notes"), JSON.stringify(seen));
      assert.match(String(status().tooltip), /\d+ notes indexed/);
    } finally {
      running.sendRequest = send;
    }
  });

  await check("\"qbank: Show interview scores…\": this candidate, all candidates, by question, in a read-only document", async () => {
    freshPrompts();
    const alice = path.join(workspace, "candidates", "alice");
    fs.mkdirSync(alice, { recursive: true });
    // A scored round (as `qbank packet --mode interview` drafts it, cut short).
    const round = [
      "## Interview packet · 2 questions · 2 categories · about 11 min · scored 1–4",
      "",
      "### BE-57 · What is a man-in-the-middle attack, and how can it be prevented?",
      "",
      "**A strong answer covers:**",
      "- [x] Attack: an attacker relays traffic between client and server",
      "- [ ] TLS with validation",
      "",
      "**Score:** 3",
      "**Notes:** ",
      "",
      "### BE-66 · What is CDN (Content Delivery Network), and how does it improve performance?",
      "",
      "**A strong answer covers:**",
      "- [ ] Edge servers",
      "- [x] Origin offload",
      "",
      "**Score:** 2",
      "**Notes:** ",
      "",
    ].join("\n");
    const roundPath = path.join(alice, "round-1.md");
    fs.writeFileSync(roundPath, round);
    const note = await vscode.workspace.openTextDocument(roundPath);
    await vscode.window.showTextDocument(note);
    const run = async (label) => {
      await vscode.window.showTextDocument(note);
      const offered = [];
      vscode.__test.answerQuickPicks((items) => {
        offered.push(...items.map((item) => item.label));
        return items.find((item) => item.label === label);
      });
      const text = await vscode.commands.executeCommand("qbank.scores");
      assert.deepEqual(offered, ["This candidate (the note's folder)", "All candidates", "By question (calibration)"], JSON.stringify(offered));
      const shown = vscode.window.activeTextEditor.document;
      assert.equal(shown.uri.scheme, "qbank-scores", "the scores are not in a read-only document");
      assert.equal(shown.getText(), text);
      return text;
    };
    // The server lists qbank.scores as its command: the client must not
    // register it over the extension's (VS Code refuses an id twice).
    assert.ok(api.client.initializeResult.capabilities.executeCommandProvider?.commands?.includes("qbank.scores"));
    const candidate = await run("This candidate (the note's folder)");
    assert.match(candidate, /alice: 1 note · 2 questions · 2 scored · mean 2\.5 \/ 4 · 2 of 4 points/);
    assert.match(candidate, /Performance Optimization: 1 question · 1 scored · mean 2\.0 \/ 4/);
    const all = await run("All candidates");
    assert.match(all, /alice: 1 note/);
    const byQuestion = await run("By question (calibration)");
    assert.match(byQuestion, /^key +asked +scored +mean/m);
    assert.match(byQuestion, /^BE-57 +1 +1 +3\.0/m);
    assert.match(byQuestion, /^BE-66 +1 +1 +2\.0/m);
  });

  await check("an untitled note: the packet's categories come from the folder or a scratch folder, never the home folder", async () => {
    freshPrompts();
    const calls = path.join(scratch, "calls.log");
    const logging = script("logging-qbank", `echo "$PWD|$*" >> '${calls}'\nexec '${binary}' "$@"`);
    await vscode.__test.updateConfiguration("qbank.path", logging);
    try {
      await waitFor("a restart with the logging binary", () => api.binary?.path === logging && api.client?.state === State.Running);
      const untitled = await vscode.workspace.openTextDocument({ language: "markdown", content: "# Draft\n\n" });
      const draft = await vscode.window.showTextDocument(untitled);
      draft.selection = new vscode.Selection(2, 0, 2, 0);
      const stats = () => fs.readFileSync(calls, "utf8").split("\n").filter((line) => line.includes("|stats"));
      const packet = async () => {
        fs.writeFileSync(calls, "");
        let categories = [];
        vscode.__test.answerQuickPicks(
          (items) => items.find((item) => item.label === "5 questions"),
          (items) => {
            categories = items.map((item) => item.label);
            return items.filter((item) => item.label === "Databases and Data Storage");
          },
        );
        const version = untitled.version;
        const result = await vscode.commands.executeCommand("qbank.packet");
        assert.deepEqual(result, { applied: true }, `the command answered ${JSON.stringify(result)}`);
        await waitFor("the packet in the untitled note", () => untitled.version > version);
        assert.ok(categories.includes("Databases and Data Storage"), `categories: ${categories}; qbank ran: ${fs.readFileSync(calls, "utf8")}; output: ${outputLines().slice(-3)}`);
        return stats();
      };
      // With a folder open: qbank stats runs there.
      const inFolder = await packet();
      assert.equal(inFolder.length, 1, JSON.stringify(inFolder));
      assert.ok(inFolder[0].startsWith(`${fs.realpathSync(workspace)}|`) || inFolder[0].startsWith(`${workspace}|`), inFolder[0]);
      // No folder at all: a scratch folder, never the home folder.
      const folders = vscode.__test.state.folders;
      vscode.__test.state.folders = [];
      let alone;
      try {
        alone = await packet();
      } finally {
        vscode.__test.state.folders = folders;
      }
      assert.equal(alone.length, 1, JSON.stringify(alone));
      const [cwd, args] = alone[0].split("|");
      const home = process.env.HOME;
      assert.ok(cwd !== home && !args.split(" ").includes(home), alone[0]);
      assert.ok(cwd.startsWith(fs.realpathSync(require("node:os").tmpdir())) || cwd.startsWith(require("node:os").tmpdir()), alone[0]);
      assert.equal(questionHeadings(untitled.getText()).length, 10, untitled.getText());
      await vscode.__test.closeTextDocument(untitled);
      await vscode.window.showTextDocument(document);
    } finally {
      await vscode.__test.updateConfiguration("qbank.path", undefined);
      await waitFor("a restart from QBANK_PATH", () => api.binary?.source === "QBANK_PATH" && api.client?.state === State.Running);
    }
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

  await check("the binary: qbank.path, then QBANK_PATH, then the bundled server, then PATH", async () => {
    freshPrompts();
    // qbank.path wins over QBANK_PATH, which is set.
    const copy = path.join(scratch, "qbank-from-setting");
    fs.symlinkSync(binary, copy);
    await vscode.__test.updateConfiguration("qbank.path", copy);
    try {
      await waitFor("a restart from qbank.path", () => api.binary?.source === "qbank.path" && api.client?.state === State.Running);
      assert.equal(api.binary.path, copy);
      await hoverWorks(document, "with qbank.path");
    } finally {
      await vscode.__test.updateConfiguration("qbank.path", undefined);
    }
    await waitFor("a restart from QBANK_PATH", () => api.binary?.source === "QBANK_PATH" && api.client?.state === State.Running);
    // The bundled server (server/qbank in the extension) before PATH.
    const savedQbankPath = process.env.QBANK_PATH;
    const savedPath = process.env.PATH;
    delete process.env.QBANK_PATH;
    process.env.PATH = `${binFolder}${path.delimiter}${savedPath}`;
    const bundled = path.join(installed, "server", "qbank");
    fs.mkdirSync(path.dirname(bundled), { recursive: true });
    fs.symlinkSync(binary, bundled);
    try {
      await restartAndSettle(api);
      assert.equal(api.binary?.source, "bundled");
      assert.equal(api.binary.path, bundled);
      await hoverWorks(document, "with the bundled server");
      fs.rmSync(path.dirname(bundled), { recursive: true });
      await restartAndSettle(api);
      assert.equal(api.binary?.source, "PATH");
      assert.equal(api.binary.path, path.join(binFolder, "qbank"));
      await hoverWorks(document, "with qbank on PATH");
    } finally {
      fs.rmSync(path.dirname(bundled), { recursive: true, force: true });
      process.env.PATH = savedPath;
      process.env.QBANK_PATH = savedQbankPath;
    }
  });

  await check("a binary too old, not executable or not qbank: the error says which, the status bar says failed", async () => {
    freshPrompts();
    const cases = [
      [script("old-qbank", 'echo "qbank 0.0.9"'), /is qbank 0\.0\.9, older than this extension needs \(0\.1 or newer\)/],
      [script("plain-file", 'echo "qbank 9.9.9"', 0o644), /is not executable: run `chmod \+x/],
      [script("not-qbank", 'echo "something else 1.0"'), /is not qbank: `--version` printed "something else 1\.0"/],
      [path.join(scratch, "missing"), /does not exist\. Install the platform package/],
    ];
    try {
      for (const [file, expected] of cases) {
        vscode.__test.state.messages.length = 0;
        await vscode.__test.updateConfiguration("qbank.path", file);
        await waitFor(`the error for ${path.basename(file)}`, () => errorMessages().length > 0 && status().text === "qbank · failed");
        assert.equal(api.client, undefined);
        assert.match(errorMessages()[0], expected);
        assert.ok(errorMessages()[0].includes(file), errorMessages()[0]);
        assert.ok(String(status().tooltip).includes(errorMessages()[0]), `tooltip: ${status().tooltip}`);
        assert.equal(status().command, "qbank.showOutput");
        assert.ok(outputLines().some((line) => line.includes(errorMessages()[0])), "the error is not in the output");
      }
      // The right binary again: the server runs.
      await vscode.__test.updateConfiguration("qbank.path", binary);
      await waitFor("a restart with qbank.path", () => api.client?.state === State.Running);
      await hoverWorks(document, "after the errors");
    } finally {
      await vscode.__test.updateConfiguration("qbank.path", undefined);
    }
    await waitFor("a restart from QBANK_PATH", () => api.binary?.source === "QBANK_PATH" && api.client?.state === State.Running);
  });

  await check("qbank.path changed twice during a restart: the last value wins", async () => {
    freshPrompts();
    // Slow to answer --version: the second change comes while the first
    // restart checks it.
    const started = path.join(scratch, "slow-started");
    const old = script("old-qbank-3", `touch '${started}'\nsleep 1\necho "qbank 0.0.9"`);
    try {
      await vscode.__test.updateConfiguration("qbank.path", old);
      await waitFor("the first restart to run the slow binary", () => fs.existsSync(started));
      await vscode.__test.updateConfiguration("qbank.path", binary);
      await waitFor("the server from the last qbank.path", () => api.binary?.path === binary && api.client?.state === State.Running);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(api.binary?.path, binary, "a restart with the first value came after");
      await hoverWorks(document, "after two changes");
    } finally {
      await vscode.__test.updateConfiguration("qbank.path", undefined);
    }
    await waitFor("a restart from QBANK_PATH", () => api.binary?.source === "QBANK_PATH" && api.client?.state === State.Running);
  });

  await check("Restricted Mode ignores the workspace's qbank.path, and trust brings it in", async () => {
    freshPrompts();
    const old = script("old-qbank-2", 'echo "qbank 0.0.9"');
    vscode.__test.setTrusted(false);
    vscode.__test.state.messages.length = 0;
    try {
      await vscode.__test.updateConfiguration("qbank.path", old, { target: "workspace" });
      await waitFor("a restart", () => api.client?.state === State.Running);
      assert.equal(api.binary?.source, "QBANK_PATH");
      assert.deepEqual(errorMessages(), []);
      assert.ok(outputLines().some((line) => line.includes(`qbank.path ("${old}") is ignored in Restricted Mode`)), "no word of the ignored setting");
      await hoverWorks(document, "in Restricted Mode");
      // The user's own qbank.path counts in Restricted Mode.
      await vscode.__test.updateConfiguration("qbank.path", binary);
      await waitFor("a restart from the user's qbank.path", () => api.binary?.source === "qbank.path" && api.client?.state === State.Running);
      await vscode.__test.updateConfiguration("qbank.path", undefined);
      await waitFor("a restart from QBANK_PATH", () => api.binary?.source === "QBANK_PATH" && api.client?.state === State.Running);
      // Trusted: the workspace's value is used (and is too old).
      vscode.__test.setTrusted(true);
      await waitFor("the workspace's binary refused", () => errorMessages().some((text) => text.includes(old)));
    } finally {
      vscode.__test.setTrusted(true);
      await vscode.__test.updateConfiguration("qbank.path", undefined, { target: "workspace" });
    }
    await waitFor("a restart from QBANK_PATH", () => api.binary?.source === "QBANK_PATH" && api.client?.state === State.Running);
    await hoverWorks(document, "after Restricted Mode");
  });

  await check("no binary: a clear error that says how to install, with a button that opens the setting", async () => {
    freshPrompts();
    const savedPath = process.env.PATH;
    const savedQbankPath = process.env.QBANK_PATH;
    process.env.PATH = "/nonexistent";
    delete process.env.QBANK_PATH;
    vscode.__test.state.messages.length = 0;
    vscode.__test.state.executed.length = 0;
    vscode.__test.answerMessages("Open setting");
    try {
      await vscode.commands.executeCommand("qbank.restart");
    } finally {
      process.env.PATH = savedPath;
      process.env.QBANK_PATH = savedQbankPath;
    }
    assert.equal(api.client, undefined);
    const error = vscode.__test.state.messages.find((message) => message.level === "error");
    assert.ok(error, "no error message");
    assert.match(error.text, /cannot find the `qbank` binary/);
    assert.match(error.text, /qbank-linux-x64-<version>\.vsix/);
    assert.match(error.text, /cargo install --path \./);
    assert.match(error.text, /set `qbank\.path`/);
    assert.deepEqual(error.items, ["Open setting", "Show output"]);
    assert.equal(status().text, "qbank · failed");
    await waitFor("the settings to open", () =>
      vscode.__test.state.executed.some((call) => call.command === "workbench.action.openSettings" && call.args[0] === "qbank.path"),
    );
    // Back to a running server.
    await vscode.commands.executeCommand("qbank.restart");
    await waitFor("the client to run", () => api.client?.state === State.Running);
    await hoverWorks(document, "after the restart");
  });

  await check("deactivation stops the server; no promise rejection went unhandled", async () => {
    const running = api.client;
    assert.equal(running?.state, State.Running);
    await extension.deactivate();
    assert.equal(running.state, State.Stopped);
    assert.deepEqual(unhandled, []);
  });

  console.log(`vscode: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

main().catch((error) => {
  console.log(`FAIL vscode: ${error.stack}`);
  console.log(`vscode: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
