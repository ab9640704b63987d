// The platform package in a real VS Code: code-server (VS Code 1.100.3 in a
// browser) with the .vsix installed, driven by headless Chromium through
// puppeteer-core, as a user would: open a note, hover a key, complete after
// `@cach`, insert a packet from the command palette, apply a quick fix, read
// the status bar. No `qbank` on PATH, no `qbank.path`, no QBANK_PATH: the
// server comes from the package.
//
// Run by tests/editors/run.sh --only code-server:
//   node tests/editors/code_server/test.js
// Environment: QBANK_VSIX (the package), CODE_SERVER (code-server's
// entry.js), QBANK_TEST_WORKSPACE (an empty folder for the notes),
// QBANK_TEST_OUT (screenshots and logs go there), CHROMIUM (default
// /usr/bin/chromium).
// Prints one line per check and "N passed, N failed"; exits 1 on a failure.
"use strict";

const assert = require("node:assert/strict");
const { spawn, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const path = require("node:path");

const puppeteer = require("puppeteer-core");

const vsix = process.env.QBANK_VSIX;
const codeServer = process.env.CODE_SERVER;
const workspace = process.env.QBANK_TEST_WORKSPACE;
const out = process.env.QBANK_TEST_OUT;
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
assert.ok(vsix && codeServer && workspace && out, "QBANK_VSIX, CODE_SERVER, QBANK_TEST_WORKSPACE and QBANK_TEST_OUT must be set");

// Every wait is bounded: a step, the start of code-server, the whole run.
// QBANK_TEST_STEP_MS shortens a step for the run against a server that
// answers nothing, where every step waits to the end.
const STEP = Number(process.env.QBANK_TEST_STEP_MS) || 20_000;
const START = 60_000;
const WHOLE_RUN = 240_000;

let passed = 0;
let failed = 0;
let page;
let serverLog = "";

function log(line) {
  console.log(line);
}

async function check(name, body) {
  try {
    await body();
    passed += 1;
    log(`ok   code-server: ${name}`);
  } catch (error) {
    failed += 1;
    const shot = path.join(out, `${name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")}.png`);
    try {
      await page?.screenshot({ path: shot });
    } catch {
      // A screenshot is a help, not a check.
    }
    log(`FAIL code-server: ${name}: ${error && error.message ? error.message.split("\n")[0] : error} (screenshot: ${shot})`);
    await reset();
  }
}

async function waitFor(what, condition, timeout = STEP) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await condition();
    } catch (error) {
      last = undefined;
    }
    if (last) {
      return last;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout / 1000}s waiting for ${what}`);
    }
    await sleep(100);
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ------------------------------------------------------------ the setting

/** PATH without any folder that holds a `qbank`. */
function pathWithoutQbank() {
  return (process.env.PATH || "")
    .split(path.delimiter)
    .filter((folder) => folder && !fs.existsSync(path.join(folder, "qbank")))
    .join(path.delimiter);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function healthy(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: "127.0.0.1", port, path: "/healthz", timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on("error", () => resolve(false));
    request.on("timeout", () => {
      request.destroy();
      resolve(false);
    });
  });
}

/** The notes of the test workspace. */
function writeWorkspace() {
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(path.join(workspace, ".qbank.toml"), "");
  fs.writeFileSync(
    path.join(workspace, "note.md"),
    [
      "# Notes",
      "",
      "BE-23 is about transactions.",
      "",
      "### BE-61 · What is caching, and why is it important for back-end performance?",
      "",
      "A copy of costly data kept nearer the reader: an in-memory cache in front of the database cuts latency and load.",
      "",
      "BE-999 does not exist.",
      "",
      "Search ",
      "",
      "Packet here:",
      "",
    ].join("\n"),
  );
}

/** The folders and settings of a first start: no `qbank.path`, no
 * telemetry, no welcome page, no update checks (workspace trust is off
 * through --disable-workspace-trust). */
function userDataDir(root) {
  const user = path.join(root, "user-data", "User");
  fs.mkdirSync(user, { recursive: true });
  fs.writeFileSync(
    path.join(user, "settings.json"),
    JSON.stringify(
      {
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "editor.accessibilitySupport": "off",
        "files.autoSave": "off",
        // One view line per line of the note, so lines can be counted.
        "[markdown]": { "editor.wordWrap": "off" },
      },
      null,
      2,
    ),
  );
  return path.join(root, "user-data");
}

/** Prints the package's entries with their Unix modes, and its manifest,
 * as JSON. */
const PACKAGE_LISTING = `
import json, sys, zipfile
package = zipfile.ZipFile(sys.argv[1])
print(json.dumps({
    "entries": [[entry.filename, entry.external_attr >> 16] for entry in package.infolist()],
    "manifest": package.read("extension.vsixmanifest").decode("utf-8"),
}))
`;

// ------------------------------------------------------------ the editor

// The modifier of VS Code's shortcuts on Linux.
const mod = "Control";

async function press(...keys) {
  for (const key of keys.slice(0, -1)) {
    await page.keyboard.down(key);
  }
  await page.keyboard.press(keys[keys.length - 1]);
  for (const key of keys.slice(0, -1).reverse()) {
    await page.keyboard.up(key);
  }
}

/** Closes whatever is open over the editor. */
async function reset() {
  try {
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press("Escape");
      await sleep(100);
    }
  } catch {
    // The page may be gone.
  }
}

/** The lines of the note as the editor shows them. */
async function editorLines() {
  return page.$$eval(".editor-instance .monaco-editor .view-lines .view-line", (lines) =>
    lines
      .map((line) => ({ top: parseFloat(line.style.top) || 0, text: line.textContent.replace(/\u00a0/g, " ") }))
      .sort((a, b) => a.top - b.top)
      .map((line) => line.text),
  );
}

async function editorText() {
  return (await editorLines()).join("\n");
}

/** Focuses the editor and moves the cursor to LINE:COLUMN (1-based) with
 * Go to Line (Ctrl+G). */
async function goTo(line, column) {
  await page.click(".editor-instance .monaco-editor .view-lines");
  await press(mod, "g");
  await waitFor("the Go to Line box", () => page.$(".quick-input-widget:not([style*='display: none']) input"));
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press("Enter");
  await waitFor("the Go to Line box to close", async () => !(await page.$(".quick-input-widget:not([style*='display: none'])")));
}

/** 1-based line and column of TEXT in the note (first occurrence). */
async function find(text, offset = 0) {
  const lines = await editorLines();
  const line = lines.findIndex((candidate) => candidate.includes(text));
  assert.ok(line >= 0, `no ${JSON.stringify(text)} in the editor: ${JSON.stringify(lines)}`);
  return [line + 1, lines[line].indexOf(text) + 1 + offset];
}

async function visibleText(selector) {
  return page.$$eval(selector, (elements) =>
    elements
      .filter((element) => element.offsetParent !== null || getComputedStyle(element).position === "fixed")
      .map((element) => element.textContent)
      .join("\n"),
  );
}

/** Runs a command from the palette (Ctrl+Shift+P) by its title. */
async function runCommand(title) {
  await press(mod, "Shift", "p");
  await waitFor("the command palette", () => page.$(".quick-input-widget:not([style*='display: none']) input"));
  await page.keyboard.type(title);
  await waitFor(`"${title}" in the command palette`, async () =>
    (await visibleText(".quick-input-widget .monaco-list-row")).includes(title),
  );
  await page.keyboard.press("Enter");
}

// ------------------------------------------------------------ the run

async function main() {
  const root = fs.mkdtempSync(path.join(out, "run-"));
  const home = path.join(root, "home");
  fs.mkdirSync(home, { recursive: true });
  const extensions = path.join(root, "extensions");
  const userData = userDataDir(root);
  writeWorkspace();

  const environment = {
    ...process.env,
    PATH: pathWithoutQbank(),
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_DATA_HOME: path.join(home, ".local", "share"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
  };
  delete environment.QBANK_PATH;
  delete environment.VSCODE_IPC_HOOK_CLI;
  // The server's "today", as in the other editor suites.
  environment.QBANK_TODAY = "2026-11-30";

  // No qbank the extension could find but its own.
  assert.throws(() => execFileSync("sh", ["-c", "command -v qbank"], { env: environment, stdio: "pipe" }));

  await check("the package holds the server and the extension, and nothing heavy else", async () => {
    const { entries: listing, manifest } = JSON.parse(
      execFileSync("python3", ["-c", PACKAGE_LISTING, vsix], { encoding: "utf8", timeout: STEP }),
    );
    const modes = new Map(listing.map(([name, mode]) => [name, mode]));
    for (const name of ["extension/server/qbank", "extension/out/extension.js", "extension/package.json",
      "extension/readme.md", "extension/LICENSE.txt", "extension/node_modules/vscode-languageclient/package.json"]) {
      assert.ok(modes.has(name), `${name} is not in ${path.basename(vsix)}`);
    }
    assert.ok(modes.get("extension/server/qbank") & 0o100, "server/qbank is not executable in the package");
    const extra = listing
      .map(([name]) => name)
      .filter((name) => /^extension\/(src|server\/(?!qbank$)|node_modules\/(typescript|@types|@vscode\/vsce)\/)|\.(ts|map)$/.test(name));
    assert.deepEqual(extra, [], "files that should not ship");
    assert.match(manifest, /TargetPlatform="linux-x64"/, "the manifest does not say linux-x64");
  });

  const base = ["--user-data-dir", userData, "--extensions-dir", extensions];
  let begun = Date.now();
  execFileSync(process.execPath, [codeServer, ...base, "--install-extension", vsix], {
    env: environment,
    stdio: "pipe",
    timeout: START,
  });
  log(`     code-server: --install-extension ${path.basename(vsix)} (${Date.now() - begun} ms)`);
  const installed = fs.readdirSync(extensions).filter((name) => name.startsWith("qbank.qbank-"));
  assert.equal(installed.length, 1, `installed: ${fs.readdirSync(extensions)}`);
  assert.ok(
    fs.statSync(path.join(extensions, installed[0], "server", "qbank")).mode & 0o100,
    "the bundled server is not executable after the install",
  );

  const port = await freePort();
  begun = Date.now();
  const server = spawn(
    process.execPath,
    [codeServer, ...base, "--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--disable-workspace-trust",
      "--disable-telemetry", "--disable-update-check", "--disable-getting-started-override", workspace],
    { env: environment, stdio: ["ignore", "pipe", "pipe"] },
  );
  const serverLogFile = path.join(out, "code-server.log");
  const serverLogStream = fs.createWriteStream(serverLogFile);
  for (const stream of [server.stdout, server.stderr]) {
    stream.on("data", (chunk) => {
      serverLog += chunk;
      serverLogStream.write(chunk);
    });
  }
  let browser;
  try {
    await waitFor("code-server to answer /healthz", () => healthy(port), START);
    log(`     code-server: listening on 127.0.0.1:${port} (${Date.now() - begun} ms)`);
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"],
      defaultViewport: { width: 1400, height: 1000 },
      protocolTimeout: STEP * 2,
    });
    page = await browser.newPage();
    page.setDefaultTimeout(STEP);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, { timeout: START });
    await waitFor("the workbench", () => page.$(".monaco-workbench .part.editor"), START);
    log(`     code-server: workbench shown (${Date.now() - begun} ms)`);
    await scenario();
  } finally {
    await browser?.close().catch(() => {});
    server.kill("SIGTERM");
    serverLogStream.end();
    if (failed > 0) {
      printLogs(userData);
    }
  }
}

async function scenario() {
  await check("Ctrl+P opens the note", async () => {
    await press(mod, "p");
    await waitFor("the quick open box", () => page.$(".quick-input-widget:not([style*='display: none']) input"));
    await page.keyboard.type("note.md");
    await waitFor("note.md among the files", async () =>
      (await visibleText(".quick-input-widget .monaco-list-row")).includes("note.md"),
    );
    await page.keyboard.press("Enter");
    await waitFor("the note in the editor", async () => (await editorText()).includes("BE-23 is about transactions"));
  });

  await check("the status bar shows qbank", async () => {
    // The extension's item, `qbank.status`: its DOM id ends with it.
    const text = await waitFor("a qbank item in the status bar", async () => {
      const items = await page.$$eval(".part.statusbar .statusbar-item", (elements) =>
        elements.map((element) => ({ id: element.id, text: element.textContent.trim() })),
      );
      const item = items.find((candidate) => candidate.id.endsWith("qbank.status")) ??
        items.find((candidate) => /^qbank\b/i.test(candidate.text));
      return item && /^qbank\b/i.test(item.text) && !/starting/i.test(item.text) ? `${item.id}: ${item.text}` : undefined;
    }, STEP * 2);
    log(`     status bar: ${text}`);
  });

  await check("hovering BE-23 shows its question", async () => {
    const [line, column] = await find("BE-23", 2);
    await goTo(line, column);
    // Ctrl+K Ctrl+I: Show Hover, as a keyboard user does; a hover shown
    // before the server answered is shown again.
    const text = await waitFor("a hover with “What is ACID compliance”", async () => {
      await press(mod, "k");
      await press(mod, "i");
      const shown = await waitFor("a hover", () => visibleText(".monaco-hover"), 3000).catch(() => "");
      return shown.includes("What is ACID compliance") ? shown : undefined;
    });
    assert.match(text, /BE-23/);
  });

  await check("@cach offers a caching question, and accepting it inserts it", async () => {
    await reset();
    const [line, column] = await find("Search ", "Search ".length);
    await goTo(line, column);
    // `@` is a trigger character: the list pops up without Ctrl+Space.
    await page.keyboard.type("@cach", { delay: 50 });
    const label = await waitFor("the suggest widget with a caching question", async () => {
      const rows = await page.$$eval(".suggest-widget.visible .monaco-list-row", (elements) =>
        elements.map((element) => element.textContent),
      );
      return rows.find((row) => /cach/i.test(row));
    });
    const key = /\b[A-Z][A-Z0-9]{0,7}-\d+\b/.exec(label)?.[0];
    // Accept the focused (first) item.
    await page.keyboard.press("Enter");
    const after = await waitFor("the completion in the note", async () => {
      const text = (await editorLines())[line - 1];
      return text !== undefined && !text.includes("@cach") ? text : undefined;
    });
    log(`     completion: "${label.trim()}" gave "${after}"`);
    if (key) {
      assert.ok(after.includes(key), `the line after accepting "${label}" is "${after}"`);
    } else {
      assert.match(after, /[A-Z][A-Z0-9]{0,7}-\d+/, `no key in "${after}"`);
    }
  });

  await check("quick fix on BE-999 changes it", async () => {
    await reset();
    const [line, column] = await find("BE-999", 2);
    await waitFor("an error squiggle", () => page.$(".editor-instance .squiggly-error"));
    await goTo(line, column);
    let offered;
    await waitFor("a “Change to” quick fix", async () => {
      await press(mod, ".");
      offered = await waitFor("the quick fix menu", () => visibleText(".action-widget .monaco-list-row"), 3000).catch(() => "");
      if (/Change to/.test(offered)) {
        return true;
      }
      await page.keyboard.press("Escape");
      return false;
    });
    log(`     quick fixes: ${offered.replace(/\s+/g, " ").slice(0, 200)}`);
    const rows = await page.$$(".action-widget .monaco-list-row.action");
    let clicked = false;
    for (const row of rows) {
      const text = await row.evaluate((element) => element.textContent);
      if (/Change to/.test(text)) {
        await row.click();
        clicked = true;
        break;
      }
    }
    assert.ok(clicked, `no row "Change to" among ${rows.length}`);
    const after = await waitFor("BE-999 replaced", async () => {
      const text = (await editorLines())[line - 1];
      return text !== undefined && !text.includes("BE-999") ? text : undefined;
    });
    log(`     quick fix: "${after}"`);
    // The line as shown, with the inlay hint after the new key.
    assert.match(after, /^BE-\d+\b.* does not exist\.$/);
  });

  await check("“qbank: Insert interview packet…” inserts a packet", async () => {
    await reset();
    const [line] = await find("Packet here:");
    await goTo(line + 1, 1);
    await runCommand("qbank: Insert interview packet");
    // Its questions: the count (the first item), then the categories
    // (none picked: all); Enter accepts each.
    await waitFor("the packet heading in the note", async () => {
      if (/^#+ (Study|Interview) packet/m.test(await editorText())) {
        return true;
      }
      if (await page.$(".quick-input-widget:not([style*='display: none']) .monaco-list-row")) {
        await page.keyboard.press("Enter");
        await sleep(300);
      }
      return false;
    });
    const lines = await editorLines();
    const heading = lines.find((candidate) => /^#+ (Study|Interview) packet/.test(candidate));
    assert.ok(heading, `no packet heading: ${JSON.stringify(lines)}`);
    log(`     packet: "${heading}"`);
  });

  await check("the status bar item qbank.status says the note's counts", async () => {
    // The note answers one question (BE-61), new, so not due.
    const text = await waitFor("the qbank.status item with the note's counts", async () => {
      const items = await page.$$eval(".part.statusbar .statusbar-item", (elements) =>
        elements.map((element) => ({ id: element.id, text: element.textContent.trim() })),
      );
      // The element's id is the extension's id, then the item's.
      const item = items.find((candidate) => candidate.id.endsWith(".qbank.status"));
      return item?.text === "qbank · 1 answered · 0 due" ? item.text : undefined;
    });
    log(`     status bar: ${text}`);
  });
}

function printLogs(userData) {
  log("     the last lines of code-server's log:");
  for (const line of serverLog.trim().split("\n").slice(-30)) {
    log(`     | ${line}`);
  }
  // The extension's output channel, as code-server keeps it.
  try {
    const channels = execFileSync("find", [path.join(userData, "logs"), "-name", "*qbank*.log"], { encoding: "utf8" })
      .trim()
      .split("\n")
      .filter(Boolean);
    for (const channel of channels) {
      log(`     the last lines of ${channel}:`);
      for (const line of fs.readFileSync(channel, "utf8").trim().split("\n").slice(-20)) {
        log(`     | ${line}`);
      }
    }
  } catch {
    // No channel: the extension did not start.
  }
}

const overall = setTimeout(() => {
  log(`FAIL code-server: the run took longer than ${WHOLE_RUN / 1000}s`);
  failed += 1;
  log(`${passed} passed, ${failed} failed`);
  process.exit(1);
}, WHOLE_RUN);

main()
  .catch((error) => {
    failed += 1;
    log(`FAIL code-server: ${error && error.stack ? error.stack.split("\n").slice(0, 3).join(" | ") : error}`);
    if (serverLog) {
      log("     the last lines of code-server's log:");
      for (const line of serverLog.trim().split("\n").slice(-30)) {
        log(`     | ${line}`);
      }
    }
  })
  .finally(() => {
    clearTimeout(overall);
    log(`${passed} passed, ${failed} failed`);
    process.exit(failed > 0 ? 1 : 0);
  });
