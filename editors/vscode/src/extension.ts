// The qbank extension: starts `qbank lsp` for markdown files and adds four
// commands. It is a thin shim: every feature lives in the server. It finds
// the binary (QBANK_PATH, then the `qbank.path` setting, then PATH), passes
// the `qbank.*` settings the user set, and has one restart path.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  LSPErrorCodes,
  ResponseError,
  ServerOptions,
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
  restart(): Promise<void>;
}

export interface Binary {
  path: string;
  source: "QBANK_PATH" | "qbank.path" | "PATH";
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

const OPEN_SETTING = "Open setting";
const QUESTION_KEY = /\b([A-Z][A-Z0-9]{0,7}-\d+)\b/;

let client: LanguageClient | undefined;
let binary: Binary | undefined;
let output: vscode.LogOutputChannel | undefined;
let restarting: Promise<void> | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<QbankApi> {
  output = vscode.window.createOutputChannel("qbank", { log: true });
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("qbank.restart", () => restart()),
    vscode.commands.registerCommand("qbank.packet", () => insertPacket()),
    vscode.commands.registerCommand("qbank.search", () => searchQuestions()),
    vscode.commands.registerCommand("qbank.reviewNext", () => reviewNext()),
    vscode.workspace.onDidChangeConfiguration((event) => configurationChanged(event)),
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
    restart,
  };
}

export async function deactivate(): Promise<void> {
  await stop();
}

// ---------------------------------------------------------------- the binary

/** QBANK_PATH, then `qbank.path`, then `qbank` on PATH; `undefined` and an
 * error message with a button to the setting when none is usable. */
export function findBinary(): Binary | undefined {
  const fromEnvironment = process.env.QBANK_PATH;
  if (fromEnvironment) {
    return checked(expandHome(fromEnvironment), "QBANK_PATH");
  }
  const fromSetting = vscode.workspace.getConfiguration("qbank").get<string>("path");
  if (fromSetting) {
    return checked(expandHome(fromSetting), "qbank.path");
  }
  const onPath = searchPath(process.platform === "win32" ? "qbank.exe" : "qbank");
  if (onPath) {
    return { path: onPath, source: "PATH" };
  }
  void complain(
    "qbank: cannot find the `qbank` binary on PATH. Install it (`cargo install --path .` in a clone of qbank) or set `qbank.path`.",
  );
  return undefined;
}

function checked(candidate: string, source: Binary["source"]): Binary | undefined {
  if (isExecutable(candidate)) {
    return { path: candidate, source };
  }
  void complain(`qbank: ${source} is "${candidate}", which is not an executable file.`);
  return undefined;
}

async function complain(message: string): Promise<void> {
  output?.appendLine(message);
  const choice = await vscode.window.showErrorMessage(message, OPEN_SETTING);
  if (choice === OPEN_SETTING) {
    await vscode.commands.executeCommand("workbench.action.openSettings", "qbank.path");
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

/** The `qbank.*` settings the user set (defaults are left to `.qbank.toml`). */
export function serverSettings(): Record<string, unknown> {
  const configuration = vscode.workspace.getConfiguration("qbank");
  const settings: Record<string, unknown> = {};
  for (const key of SERVER_SETTINGS) {
    const inspected = configuration.inspect(key);
    const value =
      inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    if (value !== undefined && value !== null) {
      settings[key] = value;
    }
  }
  return settings;
}

async function start(): Promise<void> {
  binary = findBinary();
  if (!binary) {
    return;
  }
  output?.appendLine(`qbank: starting ${binary.path} lsp (from ${binary.source})`);
  const serverOptions: ServerOptions = {
    command: binary.path,
    args: ["lsp"],
    transport: TransportKind.stdio,
    options: { env: process.env },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "markdown" },
      { scheme: "untitled", language: "markdown" },
    ],
    initializationOptions: serverSettings(),
    outputChannel: output,
  };
  client = new LanguageClient("qbank", "qbank", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    void vscode.window.showErrorMessage(`qbank: the language server did not start: ${String(error)}`);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (error) {
      output?.appendLine(`qbank: stopping the server: ${String(error)}`);
    }
  }
}

/** The one restart path: for the command, a changed binary, a new path. */
export function restart(): Promise<void> {
  restarting ??= (async () => {
    try {
      await stop();
      await start();
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
  void client.sendNotification(DidChangeConfigurationNotification.type, {
    settings: { qbank: serverSettings() },
  });
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
    mode: serverSettings().mode ?? null,
    seed: Math.floor(Math.random() * 2 ** 31),
  };
  return running.sendRequest(ExecuteCommandRequest.type, {
    command: "qbank.insertPacket",
    arguments: [argument],
  });
}

/** The categories of the banks in use, as `qbank stats` lists them for the
 * note (the server has no request for them). */
function bankCategories(document: vscode.TextDocument): Promise<string[]> {
  if (!binary) {
    return Promise.resolve([]);
  }
  const folder = vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath;
  const directory = folder ?? (document.uri.scheme === "file" ? path.dirname(document.uri.fsPath) : os.homedir());
  const settings = serverSettings();
  const args = ["stats", "--format", "json"];
  if (settings.builtin === false) {
    args.push("--no-builtin");
  }
  for (const bank of Array.isArray(settings.banks) ? (settings.banks as string[]) : []) {
    args.push("--bank", path.resolve(directory, bank));
  }
  // The note itself: its questions are few to read, and every category of
  // the banks in use is listed.
  args.push(document.uri.scheme === "file" ? document.uri.fsPath : directory);
  return new Promise((resolve) => {
    execFile(binary!.path, args, { cwd: directory, timeout: 10_000 }, (error, stdout) => {
      try {
        const rows = JSON.parse(stdout) as { category?: string }[];
        const names = rows.map((row) => row.category).filter((name): name is string => !!name);
        resolve([...new Set(names)]);
      } catch {
        output?.appendLine(`qbank: cannot list the categories: ${String(error ?? "no output")}`);
        resolve([]);
      }
    });
  });
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
      output?.appendLine(`qbank: workspace/symbol failed: ${String(error)}`);
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
    items.push({ label: key, description: text, detail: symbol.containerName, key, text });
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
