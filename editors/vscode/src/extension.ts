// The qbank extension: starts `qbank lsp` for markdown files and adds six
// commands and a status bar item. It is a thin shim: every feature lives in
// the server. It finds the binary (the `qbank.path` setting, then
// QBANK_PATH, then the binary bundled in the platform package, then PATH),
// checks its version, passes the `qbank.*` settings the user set, and has one
// restart path.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ErrorCodes,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  LSPErrorCodes,
  ResponseError,
  ServerOptions,
  State,
  SymbolInformation,
  TransportKind,
  WorkspaceSymbol,
  WorkspaceSymbolRequest,
} from "vscode-languageclient/node";

/** What `activate` returns: used by tests and by other extensions. */
export interface QbankApi {
  readonly client: LanguageClient | undefined;
  /** The binary in use and where it came from. */
  readonly binary: Binary | undefined;
  /** The status bar item (`qbank.status`). */
  readonly status: vscode.StatusBarItem | undefined;
  restart(): Promise<void>;
}

export interface Binary {
  path: string;
  source: "qbank.path" | "QBANK_PATH" | "bundled" | "PATH";
  /** What `qbank --version` printed, e.g. "0.1.0". */
  version: string;
}

/** The settings passed to the server; `.qbank.toml` supplies the rest. */
const SERVER_SETTINGS = [
  "builtin",
  "banks",
  "mode",
  "templates",
  "packetSize",
  "coverage",
  "desiredRetention",
  "reviewHints",
] as const;

/** Commands this extension registers itself: a server that lists one of
 * them as its own (`qbank.scores`) must not make the client register it a
 * second time (VS Code refuses a command id twice). */
const EXTENSION_COMMANDS = [
  "qbank.packet",
  "qbank.search",
  "qbank.reviewNext",
  "qbank.scores",
  "qbank.showOutput",
  "qbank.restart",
];

/** Where the platform package keeps the server, inside the extension. */
const BUNDLED_BINARY = path.join("server", process.platform === "win32" ? "qbank.exe" : "qbank");
const VERSION_TIMEOUT_MS = 5_000;
const INSTALL_HINT =
  "Install the platform package of the extension (qbank-linux-x64-<version>.vsix, from the release page or built with editors/vscode/package.sh), or the binary with `cargo install --path .` in a clone of qbank, or set `qbank.path`.";
const OPEN_SETTING = "Open setting";
const SHOW_OUTPUT = "Show output";
const QUESTION_KEY = /\b([A-Z][A-Z0-9]{0,7}-\d+)\b/;
const SCORES_SCHEME = "qbank-scores";

let extensionContext: vscode.ExtensionContext | undefined;
let client: LanguageClient | undefined;
let binary: Binary | undefined;
let output: vscode.LogOutputChannel | undefined;
let restarting: Promise<void> | undefined;
let restartAgain = false;
/** Why the server is not running, for the status bar's tooltip. */
let failure: string | undefined;
/** Set while `stop` stops the client on purpose (not a failure). */
let stopping = false;

export async function activate(context: vscode.ExtensionContext): Promise<QbankApi> {
  extensionContext = context;
  output = vscode.window.createOutputChannel("qbank", { log: true });
  const status = createStatus();
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("qbank.restart", () => restart()),
    vscode.commands.registerCommand("qbank.packet", () => insertPacket()),
    vscode.commands.registerCommand("qbank.search", () => searchQuestions()),
    vscode.commands.registerCommand("qbank.reviewNext", () => reviewNext()),
    vscode.commands.registerCommand("qbank.scores", () => showScores()),
    vscode.commands.registerCommand("qbank.showOutput", () => output?.show(true)),
    vscode.workspace.registerTextDocumentContentProvider(SCORES_SCHEME, scoresDocuments),
    vscode.workspace.onDidChangeConfiguration((event) => configurationChanged(event)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => trustGranted()),
    vscode.window.onDidChangeActiveTextEditor(() => scheduleNoteStatus(100)),
    vscode.workspace.onDidSaveTextDocument((document) => noteTouched(document, 100)),
    vscode.workspace.onDidChangeTextDocument((event) => noteTouched(event.document, 500)),
    { dispose: () => void stop() },
  );
  await start();
  return {
    get client() {
      return client;
    },
    get binary() {
      return binary;
    },
    get status() {
      return statusItem;
    },
    restart,
  };
}

export async function deactivate(): Promise<void> {
  await stop();
}

// ---------------------------------------------------------------- the binary

/** A binary found and checked, or what is wrong, said for the user. */
type Lookup = { binary: Binary } | { problem: string };

/** The `qbank.path` setting (a workspace's value only in a trusted
 * workspace), then QBANK_PATH, then the binary bundled in the extension,
 * then `qbank` on PATH. The first one present is used and checked with
 * `--version`; a broken one is reported, not skipped. */
export async function findBinary(): Promise<Lookup> {
  const setting = pathSetting();
  if (setting) {
    return checkBinary(expandHome(setting), "qbank.path");
  }
  const fromEnvironment = process.env.QBANK_PATH;
  if (fromEnvironment) {
    return checkBinary(expandHome(fromEnvironment), "QBANK_PATH");
  }
  if (extensionContext) {
    const bundled = extensionContext.asAbsolutePath(BUNDLED_BINARY);
    if (fs.existsSync(bundled)) {
      return checkBinary(bundled, "bundled");
    }
  }
  const onPath = searchPath(process.platform === "win32" ? "qbank.exe" : "qbank");
  if (onPath) {
    return checkBinary(onPath, "PATH");
  }
  return {
    problem: `qbank: cannot find the \`qbank\` binary: \`qbank.path\` and QBANK_PATH are not set, this package has no bundled server (${process.platform}-${process.arch}), and there is no \`qbank\` on PATH. ${INSTALL_HINT}`,
  };
}

/** The user's `qbank.path`; a workspace's (or folder's) value counts only
 * in a trusted workspace, since a cloned repository could point it at any
 * program. */
function pathSetting(): string | undefined {
  const inspected = vscode.workspace
    .getConfiguration("qbank", vscode.workspace.workspaceFolders?.[0]?.uri)
    .inspect<string>("path");
  const fromWorkspace = inspected?.workspaceFolderValue ?? inspected?.workspaceValue;
  if (fromWorkspace) {
    if (vscode.workspace.isTrusted) {
      return fromWorkspace;
    }
    output?.warn(
      `qbank: the workspace's qbank.path ("${fromWorkspace}") is ignored in Restricted Mode; trust the workspace to use it.`,
    );
  }
  return inspected?.globalValue || undefined;
}

/** The minimum server version: the extension's own major.minor. */
function minimumVersion(): [number, number] {
  try {
    const manifest = extensionContext?.asAbsolutePath("package.json");
    const version = manifest ? (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version?: string }).version : undefined;
    const match = /^(\d+)\.(\d+)/.exec(version ?? "");
    if (match) {
      return [Number(match[1]), Number(match[2])];
    }
  } catch {
    // No manifest to read: accept any version.
  }
  return [0, 0];
}

/** Runs `<file> --version` (with a timeout) and says what is wrong: not
 * there, not executable, not qbank, or older than this extension. */
async function checkBinary(file: string, source: Binary["source"]): Promise<Lookup> {
  const named = `${source === "bundled" ? "the bundled server" : source} (${file})`;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return { problem: `qbank: ${named} does not exist. ${INSTALL_HINT}` };
  }
  if (!stat.isFile()) {
    return { problem: `qbank: ${named} is not a file. ${INSTALL_HINT}` };
  }
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    return { problem: `qbank: ${named} is not executable: run \`chmod +x ${file}\`, or point ${source === "bundled" ? "`qbank.path`" : source} at the qbank binary.` };
  }
  const printed = await new Promise<{ stdout: string; error?: string }>((resolve) => {
    execFile(file, ["--version"], { timeout: VERSION_TIMEOUT_MS }, (error, stdout) => {
      const why = error
        ? (error as { killed?: boolean }).killed
          ? `did not answer \`--version\` within ${VERSION_TIMEOUT_MS / 1000} s`
          : `\`--version\` failed: ${error.message.split("\n")[0]}`
        : undefined;
      resolve({ stdout: String(stdout ?? ""), error: why });
    });
  });
  if (printed.error) {
    return { problem: `qbank: ${named} ${printed.error}. ${INSTALL_HINT}` };
  }
  const match = /^qbank (\d+)\.(\d+)\.(\d+)\S*/.exec(printed.stdout.trim());
  if (!match) {
    const first = printed.stdout.trim().split("\n")[0] ?? "";
    return { problem: `qbank: ${named} is not qbank: \`--version\` printed "${first.slice(0, 80)}". ${INSTALL_HINT}` };
  }
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const [needMajor, needMinor] = minimumVersion();
  const version = `${match[1]}.${match[2]}.${match[3]}`;
  if (major < needMajor || (major === needMajor && minor < needMinor)) {
    return {
      problem: `qbank: ${named} is qbank ${version}, older than this extension needs (${needMajor}.${needMinor} or newer). Update it: ${INSTALL_HINT}`,
    };
  }
  return { binary: { path: file, source, version } };
}

async function complain(message: string): Promise<void> {
  output?.error(message);
  try {
    const choice = await vscode.window.showErrorMessage(message, OPEN_SETTING, SHOW_OUTPUT);
    if (choice === OPEN_SETTING) {
      await vscode.commands.executeCommand("workbench.action.openSettings", "qbank.path");
    } else if (choice === SHOW_OUTPUT) {
      output?.show(true);
    }
  } catch (error) {
    output?.warn(`qbank: ${errorText(error)}`);
  }
}

function expandHome(file: string): string {
  return file === "~" || file.startsWith("~/") ? path.join(os.homedir(), file.slice(1)) : file;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function searchPath(name: string): string | undefined {
  for (const folder of (process.env.PATH ?? "").split(path.delimiter)) {
    if (folder && isExecutable(path.join(folder, name))) {
      return path.join(folder, name);
    }
  }
  return undefined;
}

// ------------------------------------------------------------ the server

/** The `qbank.*` settings the user set, as VS Code resolves them for
 * markdown files of `scope` (by default the first workspace folder, the
 * server's root): language-specific values (`"[markdown]": {…}`) over plain
 * ones, a folder's over the workspace's over the user's. Defaults are not
 * sent: `.qbank.toml` decides what the user did not set. */
export function serverSettings(scope?: vscode.Uri): Record<string, unknown> {
  const uri = scope ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  const configuration = vscode.workspace.getConfiguration("qbank", { uri, languageId: "markdown" });
  const settings: Record<string, unknown> = {};
  for (const key of SERVER_SETTINGS) {
    const inspected = configuration.inspect(key);
    const value =
      inspected?.workspaceFolderLanguageValue ??
      inspected?.workspaceLanguageValue ??
      inspected?.globalLanguageValue ??
      inspected?.workspaceFolderValue ??
      inspected?.workspaceValue ??
      inspected?.globalValue;
    if (value !== undefined && value !== null) {
      settings[key] = value;
    }
  }
  return settings;
}

/** The trace channel handed to the client. vscode-languageclient 11 traces
 * only when its trace channel's log level is Trace, and then writes with
 * `channel.trace`, which a log channel shows only at that level: so
 * `qbank.trace.server` alone would do nothing. This view of the output
 * channel reports Trace while the setting asks for a trace (or the channel
 * is at Trace), and writes the trace at the channel's Info level. */
function traceChannel(channel: vscode.LogOutputChannel, disposables: vscode.Disposable[]): vscode.LogOutputChannel {
  const traceSetting = () => vscode.workspace.getConfiguration("qbank").get<string>("trace.server", "off");
  const level = () => (traceSetting() !== "off" ? vscode.LogLevel.Trace : channel.logLevel);
  const changed = new vscode.EventEmitter<vscode.LogLevel>();
  let last = level();
  const refresh = () => {
    const now = level();
    if (now !== last) {
      last = now;
      changed.fire(now);
    }
  };
  disposables.push(
    changed,
    channel.onDidChangeLogLevel(refresh),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("qbank.trace.server")) {
        refresh();
      }
    }),
  );
  return {
    get name() {
      return channel.name;
    },
    get logLevel() {
      return level();
    },
    onDidChangeLogLevel: changed.event,
    trace: (message, ...args) => channel.info(message, ...args),
    debug: (message, ...args) => channel.debug(message, ...args),
    info: (message, ...args) => channel.info(message, ...args),
    warn: (message, ...args) => channel.warn(message, ...args),
    error: (error, ...args) => channel.error(error, ...args),
    append: (value) => channel.append(value),
    appendLine: (value) => channel.appendLine(value),
    replace: (value) => channel.replace(value),
    clear: () => channel.clear(),
    show: (columnOrPreserve?: vscode.ViewColumn | boolean, preserveFocus?: boolean) =>
      typeof columnOrPreserve === "boolean" || columnOrPreserve === undefined
        ? channel.show(columnOrPreserve)
        : channel.show(columnOrPreserve, preserveFocus),
    hide: () => channel.hide(),
    dispose: () => undefined,
  };
}

let clientDisposables: vscode.Disposable[] = [];

async function start(): Promise<void> {
  failure = undefined;
  showState("starting");
  const found = await findBinary();
  if ("problem" in found) {
    binary = undefined;
    fail(found.problem);
    void complain(found.problem);
    return;
  }
  binary = found.binary;
  output?.info(`qbank: starting ${binary.path} lsp (qbank ${binary.version}, from ${binary.source})`);
  const serverOptions: ServerOptions = {
    command: binary.path,
    args: ["lsp"],
    transport: TransportKind.stdio,
    options: { env: process.env },
  };
  clientDisposables = [];
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "markdown" },
      { scheme: "untitled", language: "markdown" },
    ],
    initializationOptions: serverSettings(),
    outputChannel: output,
    traceOutputChannel: output ? traceChannel(output, clientDisposables) : undefined,
  };
  const started = new LanguageClient("qbank", "qbank", serverOptions, clientOptions);
  keepOwnCommands(started);
  client = started;
  clientDisposables.push(
    started.onDidChangeState(({ newState }) => {
      if (client !== started) {
        return;
      }
      if (newState === State.Starting) {
        showState("starting");
      } else if (newState === State.Running) {
        failure = undefined;
        scheduleNoteStatus(0);
      } else if (!stopping) {
        fail("the language server stopped; see the output for why, then run “qbank: Restart server”.");
      }
    }),
  );
  try {
    await started.start();
  } catch (error) {
    const message = `qbank: the language server did not start: ${errorText(error)}`;
    fail(message);
    void vscode.window.showErrorMessage(message, SHOW_OUTPUT).then((choice) => {
      if (choice === SHOW_OUTPUT) {
        output?.show(true);
      }
    });
  }
}

/** Drops the extension's own command ids from the server's
 * `executeCommandProvider` before the client registers them as VS Code
 * commands (the extension's `qbank.scores` asks the server's `qbank.scores`
 * itself). */
function keepOwnCommands(languageClient: LanguageClient): void {
  type Registration = { registerOptions: { commands?: string[] } };
  const feature = (languageClient as unknown as { getFeature(method: string): { register(data: Registration): void } | undefined }).getFeature(
    ExecuteCommandRequest.method,
  );
  if (!feature) {
    return;
  }
  const register = feature.register.bind(feature);
  feature.register = (data: Registration) => {
    const commands = data.registerOptions.commands?.filter((command) => !EXTENSION_COMMANDS.includes(command));
    register({ ...data, registerOptions: { ...data.registerOptions, commands } });
  };
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  for (const disposable of clientDisposables) {
    disposable.dispose();
  }
  clientDisposables = [];
  if (running) {
    stopping = true;
    try {
      await running.stop();
    } catch (error) {
      output?.warn(`qbank: stopping the server: ${errorText(error)}`);
    } finally {
      stopping = false;
    }
  }
}

/** The one restart path: for the command, a changed binary, a new path,
 * trust granted. A restart asked for while one runs runs again after it,
 * so the last setting always wins. */
export function restart(): Promise<void> {
  if (restarting) {
    restartAgain = true;
    return restarting;
  }
  restarting = (async () => {
    try {
      do {
        restartAgain = false;
        await stop();
        await start();
      } while (restartAgain);
    } catch (error) {
      fail(`qbank: the language server did not start: ${errorText(error)}`);
    } finally {
      restarting = undefined;
    }
  })();
  return restarting;
}

function configurationChanged(event: vscode.ConfigurationChangeEvent): void {
  if (!event.affectsConfiguration("qbank")) {
    return;
  }
  if (event.affectsConfiguration("qbank.path") || !client) {
    void restart();
    return;
  }
  const running = client;
  running
    .sendNotification(DidChangeConfigurationNotification.type, { settings: { qbank: serverSettings() } })
    .then(
      () => scheduleNoteStatus(300),
      (error: unknown) => output?.warn(`qbank: the settings did not reach the server: ${errorText(error)}`),
    );
}

/** Trust granted: a workspace `qbank.path` ignored until now takes effect. */
function trustGranted(): void {
  const inspected = vscode.workspace
    .getConfiguration("qbank", vscode.workspace.workspaceFolders?.[0]?.uri)
    .inspect<string>("path");
  if (inspected?.workspaceFolderValue || inspected?.workspaceValue) {
    void restart();
  }
}

function runningClient(): LanguageClient | undefined {
  if (client?.isRunning()) {
    return client;
  }
  void vscode.window.showErrorMessage("qbank: the language server is not running. Run “qbank: Restart server”.");
  return undefined;
}

function markdownEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId === "markdown") {
    return editor;
  }
  void vscode.window.showErrorMessage("qbank: open a markdown note first.");
  return undefined;
}

// ------------------------------------------------------------ the status bar

/** What `qbank/noteStatus` answers. */
interface NoteStatus {
  questions: number;
  answered: number;
  due: number;
  indexing: boolean;
  notes: number;
}

let statusItem: vscode.StatusBarItem | undefined;
let statusTimer: ReturnType<typeof setTimeout> | undefined;
let statusTicket = 0;
/** The server answered MethodNotFound: an older qbank, no counts. */
let noteStatusUnsupported = false;

function createStatus(): vscode.Disposable {
  statusItem = vscode.window.createStatusBarItem("qbank.status", vscode.StatusBarAlignment.Left, 0);
  statusItem.name = "qbank";
  statusItem.command = "qbank.showOutput";
  statusItem.show();
  return new vscode.Disposable(() => {
    clearTimeout(statusTimer);
    statusItem?.dispose();
    statusItem = undefined;
  });
}

function setStatus(text: string, tooltip: string, error = false): void {
  if (!statusItem) {
    return;
  }
  statusItem.text = text;
  statusItem.tooltip = tooltip;
  statusItem.backgroundColor = error ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
}

function showState(state: "starting" | "ready"): void {
  if (state === "starting") {
    setStatus("qbank · starting", "qbank: the language server is starting. Click to show the output.");
  } else {
    setStatus("qbank · ready", `qbank ${binary?.version ?? ""} is ready (${binary?.path ?? ""}). Click to show the output.`);
  }
}

function fail(message: string): void {
  failure = message;
  clearTimeout(statusTimer);
  setStatus("qbank · failed", `${message}\n\nClick to show the output.`, true);
}

function noteTouched(document: vscode.TextDocument, delay: number): void {
  if (document === vscode.window.activeTextEditor?.document && document.languageId === "markdown") {
    scheduleNoteStatus(delay);
  }
}

/** Asks the server again after `delay` ms (debounced). */
function scheduleNoteStatus(delay: number): void {
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => void refreshNoteStatus(), delay);
}

/** The status bar from `qbank/noteStatus`: indexing, the active note's
 * answered and due counts, or ready. Polls while the server indexes. */
async function refreshNoteStatus(): Promise<void> {
  const running = client;
  if (!running || running.state !== State.Running || failure) {
    return;
  }
  const document = vscode.window.activeTextEditor?.document;
  const note =
    document?.languageId === "markdown" && (document.uri.scheme === "file" || document.uri.scheme === "untitled")
      ? document
      : undefined;
  const target = note?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  if (noteStatusUnsupported || !target) {
    showState("ready");
    return;
  }
  const ticket = ++statusTicket;
  let answer: NoteStatus | null;
  try {
    answer = await running.sendRequest<NoteStatus | null>("qbank/noteStatus", {
      uri: running.code2ProtocolConverter.asUri(target),
    });
  } catch (error) {
    if (error instanceof ResponseError && error.code === ErrorCodes.MethodNotFound) {
      noteStatusUnsupported = true;
    } else {
      output?.debug(`qbank: qbank/noteStatus failed: ${errorText(error)}`);
    }
    answer = null;
  }
  if (ticket !== statusTicket || client !== running || failure) {
    return;
  }
  if (answer?.indexing) {
    const notes = answer.notes === 0 ? "" : ` ${answer.notes} note${answer.notes === 1 ? "" : "s"}`;
    setStatus(
      `qbank · indexing${notes}`,
      `qbank: reading the workspace's notes (${answer.notes} so far). Click to show the output.`,
    );
    scheduleNoteStatus(1_000);
  } else if (answer && note && answer.questions > 0) {
    const name = path.basename(note.uri.path);
    setStatus(
      `qbank · ${answer.answered} answered · ${answer.due} due`,
      `${name}: ${answer.questions} question${answer.questions === 1 ? "" : "s"}, ${answer.answered} answered, ${answer.due} due for review today. ${answer.notes} notes indexed. Click to show the output.`,
    );
  } else {
    showState("ready");
  }
}

// ------------------------------------------------------------ the scores

interface ScopeItem extends vscode.QuickPickItem {
  argument: { uri?: string; byQuestion?: boolean };
  title: string;
}

/** Texts of the read-only `qbank-scores:` documents, by URI. */
const scoresTexts = new Map<string, string>();
const scoresChanged = new vscode.EventEmitter<vscode.Uri>();
const scoresDocuments: vscode.TextDocumentContentProvider = {
  onDidChange: scoresChanged.event,
  provideTextDocumentContent: (uri) => scoresTexts.get(uri.toString()) ?? "",
};

/** "qbank: Show interview scores…": this candidate (the note's folder), all
 * candidates, or by question; the server's `qbank.scores` text in a
 * read-only document. Returns the text, for tests. */
async function showScores(): Promise<string | undefined> {
  const running = runningClient();
  if (!running) {
    return undefined;
  }
  const note = vscode.window.activeTextEditor?.document;
  const folder = note?.uri.scheme === "file" && note.languageId === "markdown" ? path.dirname(note.uri.fsPath) : undefined;
  const items: ScopeItem[] = [];
  if (folder) {
    items.push({
      label: "This candidate (the note's folder)",
      description: vscode.workspace.asRelativePath(folder, false),
      argument: { uri: running.code2ProtocolConverter.asUri(vscode.Uri.file(folder)) },
      title: path.basename(folder),
    });
  }
  items.push(
    { label: "All candidates", description: "every folder of the workspace", argument: {}, title: "all candidates" },
    { label: "By question (calibration)", description: "mean and spread of each question's scores", argument: { byQuestion: true }, title: "by question" },
  );
  const picked = await vscode.window.showQuickPick(items, { title: "qbank: Show interview scores", placeHolder: "Whose scores?" });
  if (!picked) {
    return undefined;
  }
  let answer: { text?: string } | null;
  try {
    answer = (await running.sendRequest(ExecuteCommandRequest.type, {
      command: "qbank.scores",
      arguments: [picked.argument],
    })) as { text?: string } | null;
  } catch (error) {
    void vscode.window.showErrorMessage(`qbank: cannot roll up the scores: ${errorText(error)}`);
    return undefined;
  }
  if (typeof answer?.text !== "string") {
    void vscode.window.showErrorMessage("qbank: this qbank server does not roll up scores; update qbank.");
    return undefined;
  }
  const uri = vscode.Uri.from({ scheme: SCORES_SCHEME, path: `/qbank scores (${picked.title})` });
  scoresTexts.set(uri.toString(), answer.text);
  scoresChanged.fire(uri);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: true });
  return answer.text;
}

// ------------------------------------------------------------ the packet

interface CountItem extends vscode.QuickPickItem {
  count: number;
}

interface CategoryItem extends vscode.QuickPickItem {
  category: string;
}

/** "qbank: Insert interview packet…": count, categories, then the server's
 * `qbank.insertPacket` at the cursor. */
async function insertPacket(): Promise<unknown> {
  const editor = markdownEditor();
  const running = runningClient();
  if (!editor || !running) {
    return undefined;
  }
  const counts: CountItem[] = [5, 10, 15, 20].map((count) => ({
    label: `${count} questions`,
    count,
  }));
  const count = await vscode.window.showQuickPick(counts, {
    title: "qbank: Insert interview packet",
    placeHolder: "How many questions?",
  });
  if (!count) {
    return undefined;
  }
  let categories: string[] = [];
  const known = await bankCategories(editor.document);
  if (known.length > 0) {
    const picked = await vscode.window.showQuickPick<CategoryItem>(
      known.map((category) => ({ label: category, category })),
      {
        title: "qbank: Insert interview packet",
        placeHolder: "Categories to draw from (none picked: all of them)",
        canPickMany: true,
      },
    );
    if (!picked) {
      return undefined;
    }
    categories = picked.map((item) => item.category);
  }
  const argument = {
    uri: running.code2ProtocolConverter.asUri(editor.document.uri),
    position: running.code2ProtocolConverter.asPosition(editor.selection.active),
    count: count.count,
    categories,
    mode: serverSettings(editor.document.uri.scheme === "file" ? editor.document.uri : undefined).mode ?? null,
    seed: Math.floor(Math.random() * 2 ** 31),
  };
  try {
    return await running.sendRequest(ExecuteCommandRequest.type, {
      command: "qbank.insertPacket",
      arguments: [argument],
    });
  } catch (error) {
    void vscode.window.showErrorMessage(`qbank: the packet was not inserted: ${errorText(error)}`);
    return undefined;
  }
}

/** The categories of the banks in use, as `qbank stats` lists them for the
 * note (the server has no request for them). It runs in the note's
 * workspace folder (else the first one, else the note's own folder) and
 * reads the note alone; an untitled note is read from a copy in a scratch
 * folder, which is also where it runs outside any folder: never the home
 * folder. */
async function bankCategories(document: vscode.TextDocument): Promise<string[]> {
  if (!binary) {
    return [];
  }
  const isFile = document.uri.scheme === "file";
  const folder =
    vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath ??
    (isFile ? path.dirname(document.uri.fsPath) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  let scratch: string | undefined;
  try {
    if (!folder) {
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), "qbank-categories-"));
    }
    const directory = folder ?? scratch!;
    const settings = serverSettings(document.uri.scheme === "file" ? document.uri : undefined);
    const args = ["stats", "--format", "json"];
    if (settings.builtin === false) {
      args.push("--no-builtin");
    }
    for (const bank of Array.isArray(settings.banks) ? (settings.banks as string[]) : []) {
      // Relative to the workspace root; with no folder, only absolute ones.
      if (folder || path.isAbsolute(bank)) {
        args.push("--bank", path.resolve(directory, bank));
      }
    }
    // The note itself (its questions are few to read, and every category
    // of the banks in use is listed); for an untitled note, its text in a
    // scratch folder.
    if (isFile) {
      args.push(document.uri.fsPath);
    } else {
      scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), "qbank-categories-"));
      const copy = path.join(scratch, "untitled.md");
      fs.writeFileSync(copy, document.getText());
      args.push(copy);
    }
    return await new Promise<string[]>((resolve) => {
      execFile(binary!.path, args, { cwd: directory, timeout: 10_000 }, (error, stdout) => {
        try {
          const rows = JSON.parse(stdout) as { category?: string }[];
          const names = rows.map((row) => row.category).filter((name): name is string => !!name);
          resolve([...new Set(names)]);
        } catch {
          output?.warn(`qbank: cannot list the categories: ${String(error ?? "no output")}`);
          resolve([]);
        }
      });
    });
  } catch (error) {
    output?.warn(`qbank: cannot list the categories: ${errorText(error)}`);
    return [];
  } finally {
    if (scratch) {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
}

// ------------------------------------------------------------ the search

interface QuestionItem extends vscode.QuickPickItem {
  key: string;
  text: string;
}

/** "qbank: Search questions…": a quick pick over the server's workspace
 * symbols; the choice is inserted at the cursor (a question heading on an
 * empty line or after `#`, else the key). */
async function searchQuestions(): Promise<string | undefined> {
  const editor = markdownEditor();
  const running = runningClient();
  if (!editor || !running) {
    return undefined;
  }
  if (!running.initializeResult?.capabilities.workspaceSymbolProvider) {
    void vscode.window.showErrorMessage("qbank: this qbank server does not search questions (no workspace symbols); update qbank.");
    return undefined;
  }
  const picker = vscode.window.createQuickPick<QuestionItem>();
  picker.title = "qbank: Search questions";
  picker.placeholder = "Words or a key, e.g. cache or BE-23";
  picker.matchOnDescription = true;
  picker.matchOnDetail = true;
  let latest = 0;
  const update = async (query: string) => {
    const ticket = ++latest;
    picker.busy = true;
    try {
      const symbols = await running.sendRequest(WorkspaceSymbolRequest.type, { query });
      if (ticket === latest) {
        picker.items = questionItems(symbols ?? []);
      }
    } catch (error) {
      output?.warn(`qbank: workspace/symbol failed: ${errorText(error)}`);
    } finally {
      if (ticket === latest) {
        picker.busy = false;
      }
    }
  };
  const chosen = await new Promise<QuestionItem | undefined>((resolve) => {
    picker.onDidChangeValue((query) => void update(query));
    picker.onDidAccept(() => {
      resolve(picker.selectedItems[0] ?? picker.activeItems[0]);
      picker.hide();
    });
    picker.onDidHide(() => resolve(undefined));
    picker.show();
    void update("");
  });
  picker.dispose();
  if (!chosen) {
    return undefined;
  }
  const inserted = insertionFor(editor, chosen);
  await editor.edit((builder) => builder.replace(editor.selection, inserted));
  return inserted;
}

function questionItems(symbols: (SymbolInformation | WorkspaceSymbol)[]): QuestionItem[] {
  const items: QuestionItem[] = [];
  const seen = new Set<string>();
  for (const symbol of symbols) {
    const key = QUESTION_KEY.exec(symbol.name)?.[1];
    if (!key || seen.has(key)) {
      continue;
    }
    seen.add(key);
    const text = symbol.name
      .replace(/^#+\s*/, "")
      .replace(key, "")
      .replace(/^[\s·:.\-–—]+/, "")
      .trim();
    // The server found it by stem, acronym or several words: VS Code's own
    // filter (a contiguous substring) must not hide it.
    items.push({ label: key, description: text, detail: symbol.containerName, key, text, alwaysShow: true });
  }
  return items;
}

function insertionFor(editor: vscode.TextEditor, chosen: QuestionItem): string {
  const line = editor.document.lineAt(editor.selection.active.line).text;
  const before = line.slice(0, editor.selection.start.character);
  const heading = chosen.text ? `${chosen.key} · ${chosen.text}` : chosen.key;
  if (line.trim() === "") {
    return `### ${heading}`;
  }
  if (/^\s{0,3}#{1,6}\s*$/.test(before)) {
    return before.endsWith(" ") ? heading : ` ${heading}`;
  }
  return chosen.key;
}

// ------------------------------------------------------------ the review

/** What `qbank.nextDue` answers (LSP ranges, 0-based). */
interface NextDue {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  section: { start: { line: number; character: number }; end: { line: number; character: number } };
  key: string;
  question: string | null;
  due: string;
  overdueDays: number;
}

type Rating = "again" | "hard" | "good" | "easy";

interface RatingItem extends vscode.QuickPickItem {
  rating: Rating;
}

const SHOW_ANSWER = "Show answer";
const SKIP = "Skip";
const RATINGS: RatingItem[] = [
  { label: "Again", description: "forgot it", rating: "again" },
  { label: "Hard", description: "recalled with serious effort", rating: "hard" },
  { label: "Good", description: "recalled after some thought", rating: "good" },
  { label: "Easy", description: "recalled at once", rating: "easy" },
];

/** "qbank: Review next due question": the server's `qbank.nextDue`, the
 * note opened at its heading with the answer folded, "Show answer" or
 * "Skip", then a rating sent as `qbank.review` for the version shown.
 *
 * Both server commands go through `client.sendRequest(ExecuteCommandRequest…)`,
 * not `vscode.commands.executeCommand("qbank.nextDue")`. The latter would
 * not loop (this command's id is `qbank.reviewNext`), but in
 * vscode-languageclient 11 it reaches the handler that `ExecuteCommandFeature`
 * registers for each command the server lists, and that handler turns a
 * ContentModified reply into `undefined` and any other error into its own
 * generic "Request workspace/executeCommand failed." notification; it also
 * exists only while such a server runs. Asking directly keeps the server's
 * reply and its error (code and readable message) for the user. Returns the
 * rating recorded, for tests. */
async function reviewNext(): Promise<Rating | undefined> {
  const running = runningClient();
  if (!running) {
    return undefined;
  }
  let next: NextDue | null;
  try {
    next = (await running.sendRequest(ExecuteCommandRequest.type, {
      command: "qbank.nextDue",
      arguments: [],
    })) as NextDue | null;
  } catch (error) {
    void vscode.window.showErrorMessage(`qbank: cannot find the next due question: ${errorText(error)}`);
    return undefined;
  }
  if (!next) {
    void vscode.window.showInformationMessage("qbank: nothing due for review today.");
    return undefined;
  }
  const uri = running.protocol2CodeConverter.asUri(next.uri);
  const heading = running.protocol2CodeConverter.asRange(next.range);
  let document: vscode.TextDocument;
  try {
    document = await vscode.workspace.openTextDocument(uri);
  } catch (error) {
    void vscode.window.showErrorMessage(`qbank: cannot open ${uri.fsPath} to review ${next.key}: ${errorText(error)}`);
    return undefined;
  }
  const editor = await vscode.window.showTextDocument(document, {
    selection: new vscode.Range(heading.start, heading.start),
  });
  editor.revealRange(heading, vscode.TextEditorRevealType.AtTop);
  // The version the student sees: a rating is for this text, and the
  // server refuses it (ContentModified) if the note changes meanwhile.
  const version = document.version;
  // `editor.fold` with the heading's line (0-based `selectionLines`, so
  // the cursor stays) folds the folding range that starts there: the
  // question section (the server's folding ranges, and VS Code's markdown
  // ones, have one per heading). The heading stays visible, the answer
  // under it is hidden; `editor.unfold` with the same line shows it.
  const foldArguments = { levels: 1, direction: "down", selectionLines: [heading.start.line] };
  await vscode.commands.executeCommand("editor.fold", foldArguments);
  const overdue =
    next.overdueDays > 0 ? `due ${next.overdueDays} day${next.overdueDays === 1 ? "" : "s"} ago` : "due today";
  const title = `qbank: ${next.key} · ${overdue}`;
  const recall = await vscode.window.showQuickPick([SHOW_ANSWER, SKIP], {
    title,
    placeHolder: `Recall your answer: ${next.question ?? next.key}`,
    ignoreFocusOut: true,
  });
  await vscode.commands.executeCommand("editor.unfold", foldArguments);
  if (recall !== SHOW_ANSWER) {
    return undefined;
  }
  const rating = await vscode.window.showQuickPick(RATINGS, {
    title,
    placeHolder: "How well did you recall it?",
    ignoreFocusOut: true,
  });
  if (!rating) {
    return undefined;
  }
  const rated = await rate(running, document, version, next.key, rating.rating);
  if (!rated) {
    return undefined;
  }
  const due = nextReview(document, heading.start.line);
  void vscode.window.showInformationMessage(`qbank: ${next.key} rated ${rating.rating}${due ? `, next review on ${due}` : ""}.`);
  return rating.rating;
}

/** Sends `qbank.review`; says why when the rating was not recorded. */
async function rate(
  running: LanguageClient,
  document: vscode.TextDocument,
  version: number,
  key: string,
  rating: Rating,
): Promise<boolean> {
  let result: { applied?: boolean } | null;
  try {
    result = (await running.sendRequest(ExecuteCommandRequest.type, {
      command: "qbank.review",
      arguments: [{ uri: running.code2ProtocolConverter.asUri(document.uri), version, key, rating }],
    })) as { applied?: boolean } | null;
  } catch (error) {
    const why =
      error instanceof ResponseError && error.code === LSPErrorCodes.ContentModified
        ? `the note changed while it was shown (${error.message}); run “qbank: Review next due question” again`
        : errorText(error);
    void vscode.window.showErrorMessage(`qbank: ${key} was not rated: ${why}.`);
    return false;
  }
  if (!result?.applied) {
    void vscode.window.showErrorMessage(`qbank: ${key} was not rated: VS Code did not apply the edit (did the note change?).`);
    return false;
  }
  return true;
}

/** The due date in the marker the server just wrote under the heading on
 * `headingLine` (right below it, or after one blank line). */
function nextReview(document: vscode.TextDocument, headingLine: number): string | undefined {
  for (let line = headingLine + 1; line <= headingLine + 2 && line < document.lineCount; line++) {
    const due = /^\s*<!--\s*qbank:.*\bdue (\d{4}-\d{2}-\d{2})/.exec(document.lineAt(line).text)?.[1];
    if (due) {
      return due;
    }
  }
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
