// A minimal stand-in for VS Code's `vscode` module, enough for the real
// `vscode-languageclient` (11) and the qbank extension to run in plain Node.
// VS Code itself cannot be downloaded on the test machines. Found through
// Node's module resolution: NODE_PATH=tests/editors/vscode-stand-in.
//
// What it models: documents (text, versions, UTF-16 offsets, edits that fire
// change events), editors, workspace folders, configuration (defaults from
// the extension's package.json), providers registered by the client and run
// by the built-in `vscode.execute…Provider` commands, diagnostics, quick
// picks and messages answered by the test through `__test`, and folding
// (`editor.fold`/`editor.unfold` over the providers' folding ranges) and
// `revealRange`, recorded for the test to read; configuration in scopes
// (user, workspace, folder, each also per language) with VS Code's order,
// workspace trust, status bar items, and documents of content providers.
// Anything else the client touches fails loudly, naming the missing API.
"use strict";

const fs = require("node:fs");
const nodePath = require("node:path");
const nodeUrl = require("node:url");

// ------------------------------------------------------------------ basics

class Disposable {
  constructor(callOnDispose) {
    this._callOnDispose = callOnDispose;
  }
  static from(...disposables) {
    return new Disposable(() => {
      for (const disposable of disposables) {
        disposable?.dispose?.();
      }
    });
  }
  dispose() {
    const callback = this._callOnDispose;
    this._callOnDispose = undefined;
    callback?.();
  }
}

class EventEmitter {
  constructor() {
    this._listeners = new Set();
    this.event = (listener, thisArgs, disposables) => {
      const bound = thisArgs ? listener.bind(thisArgs) : listener;
      this._listeners.add(bound);
      const disposable = new Disposable(() => this._listeners.delete(bound));
      if (Array.isArray(disposables)) {
        disposables.push(disposable);
      }
      return disposable;
    };
  }
  fire(event) {
    for (const listener of [...this._listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error("vscode stand-in: a listener threw:", error);
      }
    }
  }
  dispose() {
    this._listeners.clear();
  }
}

class CancellationError extends Error {
  constructor() {
    super("Canceled");
    this.name = "Canceled";
  }
}

class CancellationTokenSource {
  constructor() {
    const emitter = new EventEmitter();
    this._emitter = emitter;
    this.token = {
      isCancellationRequested: false,
      onCancellationRequested: emitter.event,
    };
  }
  cancel() {
    if (!this.token.isCancellationRequested) {
      this.token.isCancellationRequested = true;
      this._emitter.fire(undefined);
    }
  }
  dispose() {
    this._emitter.dispose();
  }
}

function noToken() {
  return new CancellationTokenSource().token;
}

// ------------------------------------------------------- positions, ranges

class Position {
  constructor(line, character) {
    if (line < 0 || character < 0) {
      throw new Error(`illegal position ${line}:${character}`);
    }
    this.line = line;
    this.character = character;
  }
  isBefore(other) {
    return this.line < other.line || (this.line === other.line && this.character < other.character);
  }
  isBeforeOrEqual(other) {
    return this.isBefore(other) || this.isEqual(other);
  }
  isAfter(other) {
    return !this.isBeforeOrEqual(other);
  }
  isAfterOrEqual(other) {
    return !this.isBefore(other);
  }
  isEqual(other) {
    return this.line === other.line && this.character === other.character;
  }
  compareTo(other) {
    return this.isBefore(other) ? -1 : this.isEqual(other) ? 0 : 1;
  }
  translate(lineDelta = 0, characterDelta = 0) {
    if (typeof lineDelta === "object") {
      ({ lineDelta = 0, characterDelta = 0 } = lineDelta);
    }
    return new Position(this.line + lineDelta, this.character + characterDelta);
  }
  with(line = this.line, character = this.character) {
    if (typeof line === "object") {
      ({ line = this.line, character = this.character } = line);
    }
    return new Position(line, character);
  }
  toJSON() {
    return { line: this.line, character: this.character };
  }
}

class Range {
  constructor(startLine, startCharacter, endLine, endCharacter) {
    let start;
    let end;
    if (typeof startLine === "number") {
      start = new Position(startLine, startCharacter);
      end = new Position(endLine, endCharacter);
    } else {
      start = startLine;
      end = startCharacter;
    }
    if (end.isBefore(start)) {
      [start, end] = [end, start];
    }
    this.start = start;
    this.end = end;
  }
  get isEmpty() {
    return this.start.isEqual(this.end);
  }
  get isSingleLine() {
    return this.start.line === this.end.line;
  }
  contains(positionOrRange) {
    if (positionOrRange instanceof Range) {
      return this.contains(positionOrRange.start) && this.contains(positionOrRange.end);
    }
    return !positionOrRange.isBefore(this.start) && !this.end.isBefore(positionOrRange);
  }
  isEqual(other) {
    return this.start.isEqual(other.start) && this.end.isEqual(other.end);
  }
  intersection(other) {
    const start = this.start.isAfter(other.start) ? this.start : other.start;
    const end = this.end.isBefore(other.end) ? this.end : other.end;
    return start.isAfter(end) ? undefined : new Range(start, end);
  }
  union(other) {
    const start = this.start.isBefore(other.start) ? this.start : other.start;
    const end = this.end.isAfter(other.end) ? this.end : other.end;
    return new Range(start, end);
  }
  with(start = this.start, end = this.end) {
    if (start && !(start instanceof Position) && typeof start === "object") {
      ({ start = this.start, end = this.end } = start);
    }
    return new Range(start, end);
  }
  toJSON() {
    return { start: this.start.toJSON(), end: this.end.toJSON() };
  }
}

class Selection extends Range {
  constructor(anchorLine, anchorCharacter, activeLine, activeCharacter) {
    let anchor;
    let active;
    if (typeof anchorLine === "number") {
      anchor = new Position(anchorLine, anchorCharacter);
      active = new Position(activeLine, activeCharacter);
    } else {
      anchor = anchorLine;
      active = anchorCharacter;
    }
    super(anchor, active);
    this.anchor = anchor;
    this.active = active;
  }
  get isReversed() {
    return this.active.isBefore(this.anchor);
  }
}

class Location {
  constructor(uri, rangeOrPosition) {
    this.uri = uri;
    this.range = rangeOrPosition instanceof Position ? new Range(rangeOrPosition, rangeOrPosition) : rangeOrPosition;
  }
}

class Uri {
  constructor(scheme, authority, path, query, fragment) {
    this.scheme = scheme;
    this.authority = authority ?? "";
    this.path = path ?? "";
    this.query = query ?? "";
    this.fragment = fragment ?? "";
  }
  static file(path) {
    return new Uri("file", "", nodePath.resolve(path));
  }
  static parse(value) {
    const match = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(value);
    if (!match) {
      throw new Error(`vscode stand-in: cannot parse the URI ${value}`);
    }
    return new Uri(match[1], match[2], decodeURIComponent(match[3]), match[4], match[5]);
  }
  static joinPath(base, ...segments) {
    return base.with({ path: nodePath.posix.join(base.path, ...segments) });
  }
  static from(components) {
    return new Uri(components.scheme, components.authority, components.path, components.query, components.fragment);
  }
  get fsPath() {
    return this.path;
  }
  with(change) {
    return new Uri(
      change.scheme ?? this.scheme,
      change.authority ?? this.authority,
      change.path ?? this.path,
      change.query ?? this.query,
      change.fragment ?? this.fragment,
    );
  }
  toString() {
    if (this.scheme === "file") {
      return nodeUrl.pathToFileURL(this.path).href;
    }
    let text = `${this.scheme}:`;
    if (this.authority || this.scheme === "file") {
      text += `//${this.authority}`;
    }
    text += encodeURI(this.path);
    if (this.query) {
      text += `?${this.query}`;
    }
    if (this.fragment) {
      text += `#${this.fragment}`;
    }
    return text;
  }
  toJSON() {
    return { scheme: this.scheme, authority: this.authority, path: this.path, query: this.query, fragment: this.fragment };
  }
}

// ---------------------------------------------------------------- content

class MarkdownString {
  constructor(value = "", supportThemeIcons = false) {
    this.value = value;
    this.supportThemeIcons = supportThemeIcons;
    this.isTrusted = undefined;
    this.supportHtml = false;
  }
  appendText(value) {
    this.value += value.replace(/[\\`*_{}[\]()#+\-.!]/g, "\\$&");
    return this;
  }
  appendMarkdown(value) {
    this.value += value;
    return this;
  }
  appendCodeblock(value, language = "") {
    this.value += `\n\`\`\`${language}\n${value}\n\`\`\`\n`;
    return this;
  }
}

class SnippetString {
  constructor(value = "") {
    this.value = value;
  }
}

class Hover {
  constructor(contents, range) {
    this.contents = Array.isArray(contents) ? contents : [contents];
    this.range = range;
  }
}

class TextEdit {
  constructor(range, newText) {
    this.range = range;
    this.newText = newText;
  }
  static replace(range, newText) {
    return new TextEdit(range, newText);
  }
  static insert(position, newText) {
    return new TextEdit(new Range(position, position), newText);
  }
  static delete(range) {
    return new TextEdit(range, "");
  }
}

class SnippetTextEdit {
  constructor(range, snippet) {
    this.range = range;
    this.snippet = snippet;
  }
}

class WorkspaceEdit {
  constructor() {
    this._edits = new Map();
  }
  _list(uri) {
    const key = uri.toString();
    if (!this._edits.has(key)) {
      this._edits.set(key, { uri, edits: [] });
    }
    return this._edits.get(key).edits;
  }
  set(uri, edits) {
    this._edits.set(uri.toString(), { uri, edits: [] });
    for (const edit of edits ?? []) {
      this._list(uri).push(Array.isArray(edit) ? edit[0] : edit);
    }
  }
  replace(uri, range, newText) {
    this._list(uri).push(new TextEdit(range, newText));
  }
  insert(uri, position, newText) {
    this._list(uri).push(TextEdit.insert(position, newText));
  }
  delete(uri, range) {
    this._list(uri).push(TextEdit.delete(range));
  }
  has(uri) {
    return this._edits.has(uri.toString());
  }
  get(uri) {
    return this._edits.get(uri.toString())?.edits ?? [];
  }
  entries() {
    return [...this._edits.values()].map(({ uri, edits }) => [uri, edits]);
  }
  get size() {
    return this._edits.size;
  }
  createFile() {
    throw new Error("vscode stand-in: WorkspaceEdit.createFile is not modelled");
  }
  renameFile() {
    throw new Error("vscode stand-in: WorkspaceEdit.renameFile is not modelled");
  }
  deleteFile() {
    throw new Error("vscode stand-in: WorkspaceEdit.deleteFile is not modelled");
  }
}

// ------------------------------------------------------ language features

const CompletionItemKind = enumeration([
  "Text", "Method", "Function", "Constructor", "Field", "Variable", "Class", "Interface", "Module",
  "Property", "Unit", "Value", "Enum", "Keyword", "Snippet", "Color", "File", "Reference", "Folder",
  "EnumMember", "Constant", "Struct", "Event", "Operator", "TypeParameter", "User", "Issue",
]);
const SymbolKind = enumeration([
  "File", "Module", "Namespace", "Package", "Class", "Method", "Property", "Field", "Constructor",
  "Enum", "Interface", "Function", "Variable", "Constant", "String", "Number", "Boolean", "Array",
  "Object", "Key", "Null", "EnumMember", "Struct", "Event", "Operator", "TypeParameter",
]);

function enumeration(names, first = 0) {
  const result = {};
  names.forEach((name, index) => {
    result[name] = index + first;
    result[index + first] = name;
  });
  return result;
}

class CompletionItem {
  constructor(label, kind) {
    this.label = label;
    this.kind = kind;
  }
}

class CompletionList {
  constructor(items = [], isIncomplete = false) {
    this.items = items;
    this.isIncomplete = isIncomplete;
  }
}

class CodeActionKind {
  constructor(value) {
    this.value = value;
  }
  append(part) {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
  intersects(other) {
    return this.contains(other) || other.contains(this);
  }
  contains(other) {
    return this.value === other.value || this.value === "" || other.value.startsWith(`${this.value}.`);
  }
}
CodeActionKind.Empty = new CodeActionKind("");
CodeActionKind.QuickFix = new CodeActionKind("quickfix");
CodeActionKind.Refactor = new CodeActionKind("refactor");
CodeActionKind.RefactorExtract = new CodeActionKind("refactor.extract");
CodeActionKind.RefactorInline = new CodeActionKind("refactor.inline");
CodeActionKind.RefactorMove = new CodeActionKind("refactor.move");
CodeActionKind.RefactorRewrite = new CodeActionKind("refactor.rewrite");
CodeActionKind.Source = new CodeActionKind("source");
CodeActionKind.SourceOrganizeImports = new CodeActionKind("source.organizeImports");
CodeActionKind.SourceFixAll = new CodeActionKind("source.fixAll");
CodeActionKind.Notebook = new CodeActionKind("notebook");

class CodeAction {
  constructor(title, kind) {
    this.title = title;
    this.kind = kind;
  }
}

class Diagnostic {
  constructor(range, message, severity = 0) {
    this.range = range;
    this.message = message;
    this.severity = severity;
  }
}

class DiagnosticRelatedInformation {
  constructor(location, message) {
    this.location = location;
    this.message = message;
  }
}

class SymbolInformation {
  constructor(name, kind, rangeOrContainer, locationOrUri, containerName) {
    this.name = name;
    this.kind = kind;
    if (rangeOrContainer instanceof Range) {
      this.location = new Location(locationOrUri, rangeOrContainer);
      this.containerName = containerName;
    } else {
      this.containerName = rangeOrContainer;
      this.location = locationOrUri;
    }
  }
}

class DocumentSymbol {
  constructor(name, detail, kind, range, selectionRange) {
    Object.assign(this, { name, detail, kind, range, selectionRange, children: [] });
  }
}

class CodeLens {
  constructor(range, command) {
    this.range = range;
    this.command = command;
  }
  get isResolved() {
    return !!this.command;
  }
}

class DocumentLink {
  constructor(range, target) {
    this.range = range;
    this.target = target;
  }
}

class InlayHint {
  constructor(position, label, kind) {
    Object.assign(this, { position, label, kind });
  }
}

class FoldingRange {
  constructor(start, end, kind) {
    Object.assign(this, { start, end, kind });
  }
}

class RelativePattern {
  constructor(base, pattern) {
    this.baseUri = base instanceof Uri ? base : base.uri ?? Uri.file(String(base));
    this.base = this.baseUri.fsPath;
    this.pattern = pattern;
  }
}

/** A class that keeps its constructor's arguments, for the types the
 * client only builds and the tests never read. */
function plainClass(name, fields) {
  const result = {
    [name]: class {
      constructor(...args) {
        fields.forEach((field, index) => {
          this[field] = args[index];
        });
      }
    },
  };
  return result[name];
}

// -------------------------------------------------------------- documents

const LANGUAGES = { ".md": "markdown", ".markdown": "markdown", ".txt": "plaintext", ".toml": "toml" };

class TextDocument {
  constructor(uri, languageId, text) {
    this.uri = uri;
    this.fileName = uri.fsPath;
    this.languageId = languageId;
    this.version = 1;
    this.isClosed = false;
    this.isDirty = false;
    this.isUntitled = uri.scheme === "untitled";
    this.eol = 1;
    this.encoding = "utf8";
    this._text = text;
  }
  getText(range) {
    if (!range) {
      return this._text;
    }
    return this._text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }
  _lineStarts() {
    const starts = [0];
    for (let index = 0; index < this._text.length; index++) {
      const code = this._text.charCodeAt(index);
      if (code === 13 && this._text.charCodeAt(index + 1) === 10) {
        index++;
        starts.push(index + 1);
      } else if (code === 10 || code === 13) {
        starts.push(index + 1);
      }
    }
    return starts;
  }
  get lineCount() {
    return this._lineStarts().length;
  }
  lineAt(lineOrPosition) {
    const line = typeof lineOrPosition === "number" ? lineOrPosition : lineOrPosition.line;
    const starts = this._lineStarts();
    if (line < 0 || line >= starts.length) {
      throw new Error(`vscode stand-in: illegal line ${line}`);
    }
    const start = starts[line];
    const next = line + 1 < starts.length ? starts[line + 1] : this._text.length;
    const text = this._text.slice(start, next).replace(/\r?\n$|\r$/, "");
    return {
      lineNumber: line,
      text,
      range: new Range(line, 0, line, text.length),
      rangeIncludingLineBreak: line + 1 < starts.length ? new Range(line, 0, line + 1, 0) : new Range(line, 0, line, text.length),
      firstNonWhitespaceCharacterIndex: text.length - text.trimStart().length,
      isEmptyOrWhitespace: text.trim() === "",
    };
  }
  offsetAt(position) {
    const starts = this._lineStarts();
    const line = Math.min(Math.max(position.line, 0), starts.length - 1);
    const lineText = this.lineAt(line).text;
    return starts[line] + Math.min(Math.max(position.character, 0), lineText.length);
  }
  positionAt(offset) {
    offset = Math.min(Math.max(offset, 0), this._text.length);
    const starts = this._lineStarts();
    let line = 0;
    while (line + 1 < starts.length && starts[line + 1] <= offset) {
      line++;
    }
    const character = Math.min(offset - starts[line], this.lineAt(line).text.length);
    return new Position(line, character);
  }
  validatePosition(position) {
    return this.positionAt(this.offsetAt(position));
  }
  validateRange(range) {
    return new Range(this.validatePosition(range.start), this.validatePosition(range.end));
  }
  getWordRangeAtPosition(position, pattern = /[\w-]+/g) {
    const text = this.lineAt(position.line).text;
    const regex = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
    for (const match of text.matchAll(regex)) {
      const start = match.index;
      const end = start + match[0].length;
      if (start <= position.character && position.character <= end) {
        return new Range(position.line, start, position.line, end);
      }
    }
    return undefined;
  }
  save() {
    fs.writeFileSync(this.uri.fsPath, this._text);
    this.isDirty = false;
    state.events.didSave.fire(this);
    return Promise.resolve(true);
  }
}

class TextEditor {
  constructor(document) {
    this.document = document;
    this.selections = [new Selection(0, 0, 0, 0)];
    this.options = { tabSize: 4, insertSpaces: true };
    this.viewColumn = 1;
    this.visibleRanges = [new Range(0, 0, 0, 0)];
  }
  get selection() {
    return this.selections[0];
  }
  set selection(selection) {
    this.selections = [selection];
  }
  async edit(callback) {
    const edit = new WorkspaceEdit();
    const uri = this.document.uri;
    callback({
      replace: (location, text) =>
        edit.replace(uri, location instanceof Position ? new Range(location, location) : location, text),
      insert: (position, text) => edit.insert(uri, position, text),
      delete: (range) => edit.delete(uri, range),
      setEndOfLine: () => {},
    });
    return applyWorkspaceEdit(edit);
  }
  async insertSnippet(snippet, location) {
    const at = location ?? this.selection;
    const range = at instanceof Position ? new Range(at, at) : at;
    const edit = new WorkspaceEdit();
    edit.replace(this.document.uri, range, snippetText(snippet.value ?? String(snippet)));
    return applyWorkspaceEdit(edit);
  }
  revealRange(range, revealType) {
    state.revealed.push({ document: this.document, range, revealType });
  }
  setDecorations() {}
}

/** A snippet's text as VS Code inserts it: placeholders' defaults, no `$n`. */
function snippetText(value) {
  return value
    .replace(/\$\{\d+:([^}]*)\}/g, "$1")
    .replace(/\$\{\d+\}|\$\d+/g, "")
    .replace(/\\([$}\\])/g, "$1");
}

const state = {
  documents: new Map(),
  editors: [],
  activeEditor: undefined,
  folders: [],
  configuration: {},
  scoped: [],
  defaults: {},
  trusted: true,
  statusBarItems: new Map(),
  contentProviders: new Map(),
  commands: new Map(),
  providers: new Map(),
  diagnostics: new Map(),
  collections: new Set(),
  messages: [],
  executed: [],
  revealed: [],
  folds: [],
  messageAnswers: [],
  quickPickAnswers: [],
  quickPickHandler: undefined,
  inputAnswers: [],
  output: [],
  events: {
    didOpen: new EventEmitter(),
    didClose: new EventEmitter(),
    didChange: new EventEmitter(),
    didSave: new EventEmitter(),
    willSave: new EventEmitter(),
    didChangeConfiguration: new EventEmitter(),
    didChangeFolders: new EventEmitter(),
    didChangeActiveEditor: new EventEmitter(),
    didChangeVisibleEditors: new EventEmitter(),
    didChangeTabs: new EventEmitter(),
    didChangeDiagnostics: new EventEmitter(),
    didGrantTrust: new EventEmitter(),
  },
};

function documentFor(uri) {
  return state.documents.get(uri.toString());
}

async function openTextDocument(target) {
  if (target && typeof target === "object" && !(target instanceof Uri) && "content" in target) {
    const uri = new Uri("untitled", "", `Untitled-${state.documents.size + 1}`);
    const document = new TextDocument(uri, target.language ?? "plaintext", target.content ?? "");
    state.documents.set(uri.toString(), document);
    state.events.didOpen.fire(document);
    return document;
  }
  const uri = typeof target === "string" ? Uri.file(target) : target;
  const known = documentFor(uri);
  const provider = state.contentProviders.get(uri.scheme);
  if (provider) {
    // A virtual document: its text from the provider, read-only.
    const text = (await provider.provideTextDocumentContent(uri, noToken())) ?? "";
    if (known) {
      known._text = text;
      return known;
    }
    const document = new TextDocument(uri, LANGUAGES[nodePath.extname(uri.path).toLowerCase()] ?? "plaintext", text);
    state.documents.set(uri.toString(), document);
    state.events.didOpen.fire(document);
    return document;
  }
  if (known) {
    return known;
  }
  const text = fs.readFileSync(uri.fsPath, "utf8");
  const language = LANGUAGES[nodePath.extname(uri.fsPath).toLowerCase()] ?? "plaintext";
  const document = new TextDocument(uri, language, text);
  state.documents.set(uri.toString(), document);
  state.events.didOpen.fire(document);
  return document;
}

async function showTextDocument(documentOrUri, options) {
  const document = documentOrUri instanceof Uri ? await openTextDocument(documentOrUri) : documentOrUri;
  let editor = state.editors.find((candidate) => candidate.document === document);
  if (!editor) {
    editor = new TextEditor(document);
    state.editors.push(editor);
    state.events.didChangeVisibleEditors.fire([...state.editors]);
  }
  if (options?.selection) {
    editor.selection = new Selection(options.selection.start, options.selection.end);
  }
  state.activeEditor = editor;
  state.events.didChangeActiveEditor.fire(editor);
  return editor;
}

/** Applies text edits as VS Code does: all against the old text, then one
 * change event with the changes from last to first. */
async function applyWorkspaceEdit(edit) {
  for (const [uri, edits] of edit.entries()) {
    const document = documentFor(uri);
    if (!document) {
      throw new Error(`vscode stand-in: an edit for ${uri.toString()}, which is not open`);
    }
    const resolved = edits.map((one) => ({
      range: one.range,
      text: one.snippet ? snippetText(one.snippet.value) : one.newText,
      start: document.offsetAt(one.range.start),
      end: document.offsetAt(one.range.end),
    }));
    resolved.sort((a, b) => b.start - a.start || b.end - a.end);
    for (let index = 1; index < resolved.length; index++) {
      if (resolved[index].end > resolved[index - 1].start) {
        return false; // overlapping edits: VS Code refuses the whole edit
      }
    }
    const changes = [];
    let text = document._text;
    for (const one of resolved) {
      changes.push({
        range: new Range(document.positionAt(one.start), document.positionAt(one.end)),
        rangeOffset: one.start,
        rangeLength: one.end - one.start,
        text: one.text,
      });
      text = text.slice(0, one.start) + one.text + text.slice(one.end);
      // Positions of the next (earlier) change are unaffected.
      document._text = text;
    }
    document.version += 1;
    document.isDirty = true;
    state.events.didChange.fire({ document, contentChanges: changes, reason: undefined });
  }
  return true;
}

// ------------------------------------------------------------ configuration

function configurationValue(key) {
  if (Object.prototype.hasOwnProperty.call(state.configuration, key)) {
    return state.configuration[key];
  }
  return state.defaults[key];
}

/** The folder of a configuration scope (a Uri, a document, a folder, or
 * `{ uri, languageId }`), and its language. */
function scopeOf(scope) {
  if (!scope) {
    return { folder: undefined, language: undefined };
  }
  const uri = scope instanceof Uri ? scope : scope.uri;
  const language = scope instanceof Uri ? undefined : scope.languageId;
  const folder = uri ? workspace.getWorkspaceFolder(uri)?.uri.fsPath : undefined;
  return { folder, language };
}

/** A setting's values in each scope, as `inspect` gives them. */
function inspectValue(name, scope) {
  const { folder, language } = scopeOf(scope);
  const value = (target, inLanguage) => {
    if (target === "global" && !inLanguage) {
      return state.configuration[name];
    }
    const entry = state.scoped.find(
      (one) =>
        one.name === name &&
        one.target === target &&
        (one.language ?? undefined) === (inLanguage ? language : undefined) &&
        (target !== "workspaceFolder" || one.folder === folder),
    );
    return entry?.value;
  };
  const inspected = {
    key: name,
    defaultValue: state.defaults[name],
    globalValue: value("global", false),
    workspaceValue: value("workspace", false),
    workspaceFolderValue: folder ? value("workspaceFolder", false) : undefined,
  };
  if (language) {
    Object.assign(inspected, {
      globalLanguageValue: value("global", true),
      workspaceLanguageValue: value("workspace", true),
      workspaceFolderLanguageValue: folder ? value("workspaceFolder", true) : undefined,
      languageIds: [language],
    });
  }
  return inspected;
}

/** VS Code's order: default, user, workspace, folder, then the same per
 * language. */
function resolvedValue(name, scope) {
  const inspected = inspectValue(name, scope);
  return (
    inspected.workspaceFolderLanguageValue ??
    inspected.workspaceLanguageValue ??
    inspected.globalLanguageValue ??
    inspected.workspaceFolderValue ??
    inspected.workspaceValue ??
    inspected.globalValue ??
    inspected.defaultValue
  );
}

function configuredNames() {
  return new Set([...Object.keys(state.defaults), ...Object.keys(state.configuration), ...state.scoped.map((one) => one.name)]);
}

function getConfiguration(section, scope) {
  const prefix = section ? `${section}.` : "";
  const full = (key) => `${prefix}${key}`;
  const configuration = {
    get(key, defaultValue) {
      const value = resolvedValue(full(key), scope);
      if (value !== undefined) {
        return value;
      }
      // A parent key returns its children as an object.
      const children = {};
      let found = false;
      for (const name of configuredNames()) {
        if (name.startsWith(`${full(key)}.`)) {
          setPath(children, name.slice(full(key).length + 1), resolvedValue(name, scope));
          found = true;
        }
      }
      return found ? children : defaultValue;
    },
    has(key) {
      return configuration.get(key) !== undefined;
    },
    inspect(key) {
      return inspectValue(full(key), scope);
    },
    async update(key, value) {
      await updateConfiguration(full(key), value);
    },
  };
  // Top-level keys as properties, as VS Code's configuration object has.
  for (const name of configuredNames()) {
    if (name.startsWith(prefix)) {
      const top = name.slice(prefix.length).split(".")[0];
      if (!(top in configuration)) {
        configuration[top] = configuration.get(top);
      }
    }
  }
  return configuration;
}

function setPath(target, dotted, value) {
  const parts = dotted.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node = node[part] ??= {};
  }
  node[parts.at(-1)] = value;
}

/** Sets a setting for the user (no `where`), or in `where.target`
 * ("global", "workspace", "workspaceFolder" with `where.folder`, a path),
 * for `where.language` if given; `undefined` removes it. */
async function updateConfiguration(name, value, where) {
  if (!where || (where.target === "global" && !where.language)) {
    if (value === undefined) {
      delete state.configuration[name];
    } else {
      state.configuration[name] = value;
    }
  } else {
    const folder = where.folder ? nodePath.resolve(where.folder) : undefined;
    const same = (one) => one.name === name && one.target === where.target && one.language === where.language && one.folder === folder;
    state.scoped = state.scoped.filter((one) => !same(one));
    if (value !== undefined) {
      state.scoped.push({ name, value, target: where.target, language: where.language, folder });
    }
  }
  state.events.didChangeConfiguration.fire({
    affectsConfiguration: (section) => name === section || name.startsWith(`${section}.`) || section.startsWith(`${name}.`),
  });
}

// ---------------------------------------------------------------- languages

function matchScore(selector, document) {
  if (Array.isArray(selector)) {
    return Math.max(0, ...selector.map((one) => matchScore(one, document)));
  }
  if (typeof selector === "string") {
    return selector === document.languageId ? 10 : selector === "*" ? 5 : 0;
  }
  if (!selector) {
    return 0;
  }
  let score = 0;
  if (selector.language) {
    if (selector.language !== document.languageId && selector.language !== "*") return 0;
    score = Math.max(score, selector.language === "*" ? 5 : 10);
  }
  if (selector.scheme) {
    if (selector.scheme !== document.uri.scheme && selector.scheme !== "*") return 0;
    score = Math.max(score, selector.scheme === "*" ? 5 : 10);
  }
  if (selector.notebookType) {
    return 0;
  }
  if (selector.pattern) {
    const pattern = typeof selector.pattern === "string" ? selector.pattern : selector.pattern.pattern;
    if (!globMatches(pattern, document.uri.fsPath)) return 0;
    score = Math.max(score, 10);
  }
  return score;
}

function globMatches(pattern, file) {
  const regex = pattern
    .replace(/[.+^$()|[\]\\]/g, "\\$&")
    .replace(/\*\*\/?/g, "\u0000")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]")
    .replace(/\{([^}]*)\}/g, (_, alternatives) => `(${alternatives.split(",").join("|")})`)
    .replace(/\u0000/g, ".*");
  return new RegExp(`(^|/)${regex}$`).test(file);
}

function registerProvider(kind) {
  return (selector, provider, ...metadata) => {
    const entry = { selector, provider, metadata };
    if (!state.providers.has(kind)) {
      state.providers.set(kind, []);
    }
    state.providers.get(kind).push(entry);
    return new Disposable(() => {
      const list = state.providers.get(kind);
      list.splice(list.indexOf(entry), 1);
    });
  };
}

function providersFor(kind, document) {
  return (state.providers.get(kind) ?? []).filter((entry) => matchScore(entry.selector, document) > 0);
}

function createDiagnosticCollection(name = "") {
  const entries = new Map();
  const collection = {
    name,
    set(uriOrEntries, diagnostics) {
      if (Array.isArray(uriOrEntries)) {
        for (const [uri, list] of uriOrEntries) {
          collection.set(uri, list);
        }
        return;
      }
      entries.set(uriOrEntries.toString(), { uri: uriOrEntries, diagnostics: diagnostics ?? [] });
      state.events.didChangeDiagnostics.fire({ uris: [uriOrEntries] });
    },
    delete(uri) {
      entries.delete(uri.toString());
    },
    clear() {
      entries.clear();
    },
    get(uri) {
      return entries.get(uri.toString())?.diagnostics;
    },
    has(uri) {
      return entries.has(uri.toString());
    },
    forEach(callback) {
      for (const { uri, diagnostics } of entries.values()) {
        callback(uri, diagnostics, collection);
      }
    },
    dispose() {
      entries.clear();
      state.collections.delete(collection);
    },
    [Symbol.iterator]: function* () {
      for (const { uri, diagnostics } of entries.values()) {
        yield [uri, diagnostics];
      }
    },
  };
  state.collections.add(collection);
  return collection;
}

function getDiagnostics(uri) {
  const all = [];
  for (const collection of state.collections) {
    if (uri) {
      all.push(...(collection.get(uri) ?? []));
    }
  }
  return all;
}

// ------------------------------------------------------------------ commands

const builtInCommands = {
  async "vscode.executeHoverProvider"(uri, position) {
    const document = documentFor(uri);
    const hovers = [];
    for (const { provider } of providersFor("hover", document)) {
      const hover = await provider.provideHover(document, position, noToken());
      if (hover) hovers.push(hover);
    }
    return hovers;
  },
  async "vscode.executeCompletionItemProvider"(uri, position, triggerCharacter, itemResolveCount = 0) {
    const document = documentFor(uri);
    const list = new CompletionList([], false);
    for (const { provider, metadata } of providersFor("completion", document)) {
      const triggers = metadata ?? [];
      if (triggerCharacter && !triggers.includes(triggerCharacter)) {
        continue;
      }
      const context = triggerCharacter ? { triggerKind: 1, triggerCharacter } : { triggerKind: 0, triggerCharacter: undefined };
      const result = await provider.provideCompletionItems(document, position, noToken(), context);
      if (!result) continue;
      const items = Array.isArray(result) ? result : result.items;
      list.isIncomplete ||= !Array.isArray(result) && !!result.isIncomplete;
      for (let index = 0; index < items.length; index++) {
        let item = items[index];
        if (index < itemResolveCount && provider.resolveCompletionItem) {
          item = (await provider.resolveCompletionItem(item, noToken())) ?? item;
        }
        list.items.push(item);
      }
    }
    return list;
  },
  async "vscode.executeCodeActionProvider"(uri, rangeOrSelection, kind) {
    const document = documentFor(uri);
    const range = rangeOrSelection instanceof Range ? rangeOrSelection : new Range(rangeOrSelection, rangeOrSelection);
    const actions = [];
    for (const { provider } of providersFor("codeActions", document)) {
      const context = {
        diagnostics: getDiagnostics(uri).filter((diagnostic) => diagnostic.range.intersection(range)),
        only: kind ? new CodeActionKind(kind) : undefined,
        triggerKind: 1,
      };
      const result = await provider.provideCodeActions(document, range, context, noToken());
      actions.push(...(result ?? []));
    }
    return actions;
  },
  async "vscode.executeWorkspaceSymbolProvider"(query) {
    const symbols = [];
    for (const { provider } of state.providers.get("workspaceSymbol") ?? []) {
      symbols.push(...((await provider.provideWorkspaceSymbols(query, noToken())) ?? []));
    }
    return symbols;
  },
  async "vscode.executeDefinitionProvider"(uri, position) {
    const document = documentFor(uri);
    const locations = [];
    for (const { provider } of providersFor("definition", document)) {
      const result = await provider.provideDefinition(document, position, noToken());
      if (result) locations.push(...(Array.isArray(result) ? result : [result]));
    }
    return locations;
  },
  async "vscode.executeCodeLensProvider"(uri, itemResolveCount = 0) {
    const document = documentFor(uri);
    const lenses = [];
    for (const { provider } of providersFor("codeLens", document)) {
      const result = (await provider.provideCodeLenses(document, noToken())) ?? [];
      for (let index = 0; index < result.length; index++) {
        let lens = result[index];
        if (!lens.command && index < itemResolveCount && provider.resolveCodeLens) {
          lens = (await provider.resolveCodeLens(lens, noToken())) ?? lens;
        }
        lenses.push(lens);
      }
    }
    return lenses;
  },
  // Folding in the active editor, as VS Code's folding controller does it:
  // `selectionLines` (else the cursor's line) name lines, and each folds or
  // unfolds the innermost folding range (from the registered providers)
  // that holds it. Recorded in `state.folds` with the range found.
  async "editor.fold"(args) {
    return foldLines("editor.fold", args);
  },
  async "editor.unfold"(args) {
    return foldLines("editor.unfold", args);
  },
  async "workbench.action.openSettings"() {},
  async setContext() {},
};

async function foldLines(command, args = {}) {
  const editor = state.activeEditor;
  if (!editor) {
    return;
  }
  const document = editor.document;
  const ranges = [];
  for (const { provider } of providersFor("foldingRange", document)) {
    ranges.push(...((await provider.provideFoldingRanges(document, {}, noToken())) ?? []));
  }
  for (const line of args.selectionLines ?? [editor.selection.active.line]) {
    const region = ranges
      .filter((range) => range.start <= line && line <= range.end && range.start < range.end)
      .sort((a, b) => b.start - a.start || a.end - b.end)[0];
    state.folds.push({ command, document, line, region: region ? { start: region.start, end: region.end } : undefined, args });
  }
}

async function executeCommand(command, ...args) {
  state.executed.push({ command, args });
  const registered = state.commands.get(command);
  if (registered) {
    return registered(...args);
  }
  const builtIn = builtInCommands[command];
  if (builtIn) {
    return builtIn(...args);
  }
  throw new Error(`vscode stand-in: command '${command}' not found`);
}

// ------------------------------------------------------------------ window

function message(level) {
  return async (text, ...items) => {
    const choices = items.filter((item) => typeof item === "string" || (item && item.title));
    state.messages.push({ level, text, items: choices.map((item) => (typeof item === "string" ? item : item.title)) });
    const answer = state.messageAnswers.shift();
    if (typeof answer === "function") {
      return answer(text, choices);
    }
    return choices.find((item) => item === answer || item?.title === answer);
  };
}

function outputChannel(name) {
  const lines = [];
  const record = (level) => (text, ...args) => {
    lines.push(`${level} ${text}${args.length ? ` ${args.map(String).join(" ")}` : ""}`);
  };
  const channel = {
    name,
    logLevel: 2,
    onDidChangeLogLevel: new EventEmitter().event,
    append: (text) => lines.push(text),
    appendLine: (text) => lines.push(text),
    replace: (text) => lines.splice(0, lines.length, text),
    clear: () => lines.splice(0, lines.length),
    shown: 0,
    show() {
      channel.shown += 1;
    },
    hide() {},
    dispose() {},
    trace: record("trace"),
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
    lines,
  };
  state.output.push(channel);
  return channel;
}

async function showQuickPick(items, options) {
  const resolved = await items;
  const answer = state.quickPickAnswers.shift();
  if (answer === undefined) {
    throw new Error(`vscode stand-in: an unexpected quick pick: ${options?.placeHolder ?? options?.title}`);
  }
  return answer(resolved, options ?? {});
}

function createQuickPick() {
  const events = {
    changeValue: new EventEmitter(),
    accept: new EventEmitter(),
    hide: new EventEmitter(),
    changeSelection: new EventEmitter(),
    changeActive: new EventEmitter(),
  };
  const picker = {
    items: [],
    value: "",
    title: undefined,
    placeholder: undefined,
    busy: false,
    canSelectMany: false,
    matchOnDescription: false,
    matchOnDetail: false,
    selectedItems: [],
    activeItems: [],
    onDidChangeValue: events.changeValue.event,
    onDidAccept: events.accept.event,
    onDidHide: events.hide.event,
    onDidChangeSelection: events.changeSelection.event,
    onDidChangeActive: events.changeActive.event,
    onDidTriggerButton: new EventEmitter().event,
    onDidTriggerItemButton: new EventEmitter().event,
    show() {
      const handler = state.quickPickHandler;
      if (!handler) {
        throw new Error("vscode stand-in: a quick pick with no handler in the test");
      }
      setImmediate(() => handler(picker, {
        type: (value) => {
          picker.value = value;
          events.changeValue.fire(value);
        },
        accept: (item) => {
          picker.selectedItems = item ? [item] : [];
          picker.activeItems = picker.selectedItems;
          events.accept.fire(undefined);
        },
      }));
    },
    hide() {
      events.hide.fire(undefined);
    },
    dispose() {
      for (const emitter of Object.values(events)) emitter.dispose();
    },
  };
  return picker;
}

/** A status bar item; `history` keeps every text it showed. */
function statusBarItem(id, alignment, priority) {
  let text = "";
  const item = {
    id,
    alignment,
    priority,
    name: undefined,
    tooltip: undefined,
    command: undefined,
    backgroundColor: undefined,
    visible: false,
    history: [],
    get text() {
      return text;
    },
    set text(value) {
      text = value;
      if (item.history.at(-1) !== value) {
        item.history.push(value);
      }
    },
    show() {
      item.visible = true;
    },
    hide() {
      item.visible = false;
    },
    dispose() {
      item.visible = false;
      item.disposed = true;
    },
  };
  state.statusBarItems.set(id ?? `item-${state.statusBarItems.size}`, item);
  return item;
}

class ThemeColor {
  constructor(id) {
    this.id = id;
  }
}

// -------------------------------------------------------------- the module

const window = {
  get activeTextEditor() {
    return state.activeEditor;
  },
  get visibleTextEditors() {
    return [...state.editors];
  },
  onDidChangeActiveTextEditor: state.events.didChangeActiveEditor.event,
  onDidChangeVisibleTextEditors: state.events.didChangeVisibleEditors.event,
  onDidChangeTextEditorSelection: new EventEmitter().event,
  tabGroups: { all: [], activeTabGroup: undefined, onDidChangeTabs: state.events.didChangeTabs.event, onDidChangeTabGroups: new EventEmitter().event },
  showTextDocument,
  showErrorMessage: message("error"),
  showWarningMessage: message("warning"),
  showInformationMessage: message("information"),
  showQuickPick,
  createQuickPick,
  async showInputBox(options) {
    const answer = state.inputAnswers.shift();
    return typeof answer === "function" ? answer(options) : answer;
  },
  createOutputChannel: outputChannel,
  async withProgress(_options, task) {
    return task({ report() {} }, noToken());
  },
  createStatusBarItem(id, alignment, priority) {
    return statusBarItem(id, alignment, priority);
  },
  createTextEditorDecorationType() {
    return { key: "decoration", dispose() {} };
  },
};

const workspace = {
  get workspaceFolders() {
    return state.folders.length ? [...state.folders] : undefined;
  },
  get name() {
    return state.folders[0]?.name;
  },
  get rootPath() {
    return state.folders[0]?.uri.fsPath;
  },
  get textDocuments() {
    return [...state.documents.values()];
  },
  notebookDocuments: [],
  getWorkspaceFolder(uri) {
    return state.folders
      .filter((folder) => uri.fsPath === folder.uri.fsPath || uri.fsPath.startsWith(`${folder.uri.fsPath}${nodePath.sep}`))
      .sort((a, b) => b.uri.fsPath.length - a.uri.fsPath.length)[0];
  },
  getConfiguration,
  openTextDocument,
  applyEdit: applyWorkspaceEdit,
  onDidOpenTextDocument: state.events.didOpen.event,
  onDidCloseTextDocument: state.events.didClose.event,
  onDidChangeTextDocument: state.events.didChange.event,
  onDidSaveTextDocument: state.events.didSave.event,
  onWillSaveTextDocument: state.events.willSave.event,
  onDidChangeConfiguration: state.events.didChangeConfiguration.event,
  onDidChangeWorkspaceFolders: state.events.didChangeFolders.event,
  onDidOpenNotebookDocument: new EventEmitter().event,
  onDidCloseNotebookDocument: new EventEmitter().event,
  onDidChangeNotebookDocument: new EventEmitter().event,
  onDidSaveNotebookDocument: new EventEmitter().event,
  onDidCreateFiles: new EventEmitter().event,
  onDidRenameFiles: new EventEmitter().event,
  onDidDeleteFiles: new EventEmitter().event,
  onWillCreateFiles: new EventEmitter().event,
  onWillRenameFiles: new EventEmitter().event,
  onWillDeleteFiles: new EventEmitter().event,
  createFileSystemWatcher() {
    return {
      onDidCreate: new EventEmitter().event,
      onDidChange: new EventEmitter().event,
      onDidDelete: new EventEmitter().event,
      ignoreCreateEvents: false,
      ignoreChangeEvents: false,
      ignoreDeleteEvents: false,
      dispose() {},
    };
  },
  registerTextDocumentContentProvider(scheme, provider) {
    state.contentProviders.set(scheme, provider);
    return new Disposable(() => state.contentProviders.delete(scheme));
  },
  get isTrusted() {
    return state.trusted;
  },
  onDidGrantWorkspaceTrust: state.events.didGrantTrust.event,
  asRelativePath(pathOrUri) {
    const file = typeof pathOrUri === "string" ? pathOrUri : pathOrUri.fsPath;
    const folder = workspace.getWorkspaceFolder(Uri.file(file));
    return folder ? nodePath.relative(folder.uri.fsPath, file) || nodePath.basename(file) : file;
  },
  fs: {
    async readFile(uri) {
      return fs.readFileSync(uri.fsPath);
    },
    async stat(uri) {
      const stat = fs.statSync(uri.fsPath);
      return { type: stat.isDirectory() ? 2 : 1, ctime: stat.ctimeMs, mtime: stat.mtimeMs, size: stat.size };
    },
  },
};

const languages = {
  match: matchScore,
  createDiagnosticCollection,
  getDiagnostics,
  onDidChangeDiagnostics: state.events.didChangeDiagnostics.event,
  async getLanguages() {
    return ["markdown", "plaintext"];
  },
  setLanguageConfiguration() {
    return new Disposable(() => {});
  },
};
for (const [method, kind] of Object.entries({
  registerHoverProvider: "hover",
  registerCompletionItemProvider: "completion",
  registerCodeActionsProvider: "codeActions",
  registerDefinitionProvider: "definition",
  registerReferenceProvider: "references",
  registerWorkspaceSymbolProvider: "workspaceSymbol",
  registerDocumentSymbolProvider: "documentSymbol",
  registerInlayHintsProvider: "inlayHints",
  registerCodeLensProvider: "codeLens",
  registerFoldingRangeProvider: "foldingRange",
  registerDocumentLinkProvider: "documentLink",
  registerDocumentHighlightProvider: "documentHighlight",
  registerSignatureHelpProvider: "signatureHelp",
  registerDeclarationProvider: "declaration",
  registerTypeDefinitionProvider: "typeDefinition",
  registerImplementationProvider: "implementation",
  registerRenameProvider: "rename",
  registerDocumentFormattingEditProvider: "formatting",
  registerDocumentRangeFormattingEditProvider: "rangeFormatting",
  registerOnTypeFormattingEditProvider: "onTypeFormatting",
  registerColorProvider: "color",
  registerSelectionRangeProvider: "selectionRange",
  registerCallHierarchyProvider: "callHierarchy",
  registerTypeHierarchyProvider: "typeHierarchy",
  registerLinkedEditingRangeProvider: "linkedEditing",
  registerDocumentSemanticTokensProvider: "semanticTokens",
  registerDocumentRangeSemanticTokensProvider: "rangeSemanticTokens",
  registerInlineValuesProvider: "inlineValues",
  registerInlineCompletionItemProvider: "inlineCompletion",
  registerEvaluatableExpressionProvider: "evaluatableExpression",
})) {
  languages[method] = registerProvider(kind);
}

const commands = {
  registerCommand(command, callback, thisArg) {
    if (state.commands.has(command)) {
      throw new Error(`vscode stand-in: command '${command}' already exists`);
    }
    state.commands.set(command, thisArg ? callback.bind(thisArg) : callback);
    return new Disposable(() => state.commands.delete(command));
  },
  registerTextEditorCommand(command, callback) {
    return commands.registerCommand(command, (...args) => callback(state.activeEditor, undefined, ...args));
  },
  executeCommand,
  async getCommands() {
    return [...state.commands.keys(), ...Object.keys(builtInCommands)];
  },
};

const env = {
  appName: "Visual Studio Code (stand-in)",
  appRoot: __dirname,
  language: "en",
  machineId: "stand-in",
  sessionId: "stand-in",
  uriScheme: "vscode",
  uiKind: 1,
  remoteName: undefined,
  shell: "/bin/sh",
  async openExternal() {
    return true;
  },
  clipboard: { async readText() { return ""; }, async writeText() {} },
};

/** What the tests use to set the scene and answer the user's prompts. */
const __test = {
  state,
  /** Workspace folders, and configuration defaults from a package.json. */
  setup({ folders = [], packageJson, settings = {} } = {}) {
    state.folders = folders.map((folder, index) => ({ uri: Uri.file(folder), name: nodePath.basename(folder), index }));
    if (packageJson) {
      const manifest = JSON.parse(fs.readFileSync(packageJson, "utf8"));
      const properties = manifest.contributes?.configuration?.properties ?? {};
      for (const [name, schema] of Object.entries(properties)) {
        if (schema.default !== undefined && schema.default !== null) {
          state.defaults[name] = schema.default;
        }
      }
    }
    Object.assign(state.configuration, settings);
  },
  updateConfiguration,
  /** Restricted Mode (false) or trust; granting it fires the event. */
  setTrusted(trusted) {
    const granted = trusted && !state.trusted;
    state.trusted = trusted;
    if (granted) {
      state.events.didGrantTrust.fire(undefined);
    }
  },
  /** Answers for the next messages: an item's title, or a function. */
  answerMessages(...answers) {
    state.messageAnswers.push(...answers);
  },
  /** Answers for the next `showQuickPick` calls: (items, options) => choice. */
  answerQuickPicks(...answers) {
    state.quickPickAnswers.push(...answers);
  },
  /** Drives the next quick pick made with `createQuickPick`. */
  onQuickPick(handler) {
    state.quickPickHandler = handler;
  },
  async closeTextDocument(document) {
    state.documents.delete(document.uri.toString());
    state.editors = state.editors.filter((editor) => editor.document !== document);
    if (state.activeEditor?.document === document) {
      state.activeEditor = state.editors[0];
    }
    document.isClosed = true;
    state.events.didClose.fire(document);
  },
  extensionContext(extensionPath) {
    const memento = () => {
      const values = new Map();
      return { get: (key, fallback) => (values.has(key) ? values.get(key) : fallback), update: async (key, value) => void values.set(key, value), keys: () => [...values.keys()] };
    };
    return {
      subscriptions: [],
      extensionPath,
      extensionUri: Uri.file(extensionPath),
      asAbsolutePath: (relative) => nodePath.join(extensionPath, relative),
      globalState: memento(),
      workspaceState: memento(),
      extensionMode: 3,
      logUri: Uri.file(nodePath.join(extensionPath, ".logs")),
      storageUri: undefined,
      globalStorageUri: Uri.file(nodePath.join(extensionPath, ".storage")),
      environmentVariableCollection: { replace() {}, append() {}, prepend() {}, get() {}, forEach() {}, delete() {}, clear() {} },
      secrets: { get: async () => undefined, store: async () => {}, delete: async () => {}, onDidChange: new EventEmitter().event },
    };
  },
};

const api = {
  version: "1.91.0",
  Disposable,
  EventEmitter,
  CancellationError,
  CancellationTokenSource,
  Position,
  Range,
  Selection,
  Location,
  Uri,
  MarkdownString,
  SnippetString,
  Hover,
  TextEdit,
  SnippetTextEdit,
  WorkspaceEdit,
  CompletionItem,
  CompletionItemKind,
  CompletionItemTag: { Deprecated: 1 },
  CompletionList,
  CompletionTriggerKind: { Invoke: 0, TriggerCharacter: 1, TriggerForIncompleteCompletions: 2 },
  CodeAction,
  CodeActionKind,
  CodeActionTriggerKind: { Invoke: 1, Automatic: 2 },
  Diagnostic,
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  DiagnosticTag: { Unnecessary: 1, Deprecated: 2 },
  DiagnosticRelatedInformation,
  SymbolInformation,
  SymbolKind,
  SymbolTag: { Deprecated: 1 },
  DocumentSymbol,
  CodeLens,
  DocumentLink,
  InlayHint,
  InlayHintKind: { Type: 1, Parameter: 2 },
  InlayHintLabelPart: plainClass("InlayHintLabelPart", ["value"]),
  FoldingRange,
  FoldingRangeKind: { Comment: 1, Imports: 2, Region: 3 },
  RelativePattern,
  DocumentHighlight: plainClass("DocumentHighlight", ["range", "kind"]),
  DocumentHighlightKind: { Text: 0, Read: 1, Write: 2 },
  SignatureHelp: plainClass("SignatureHelp", []),
  SignatureInformation: plainClass("SignatureInformation", ["label", "documentation"]),
  ParameterInformation: plainClass("ParameterInformation", ["label", "documentation"]),
  SignatureHelpTriggerKind: { Invoke: 1, TriggerCharacter: 2, ContentChange: 3 },
  CallHierarchyItem: plainClass("CallHierarchyItem", ["kind", "name", "detail", "uri", "range", "selectionRange"]),
  CallHierarchyIncomingCall: plainClass("CallHierarchyIncomingCall", ["from", "fromRanges"]),
  CallHierarchyOutgoingCall: plainClass("CallHierarchyOutgoingCall", ["to", "fromRanges"]),
  TypeHierarchyItem: plainClass("TypeHierarchyItem", ["kind", "name", "detail", "uri", "range", "selectionRange"]),
  Color: plainClass("Color", ["red", "green", "blue", "alpha"]),
  ColorInformation: plainClass("ColorInformation", ["range", "color"]),
  ColorPresentation: plainClass("ColorPresentation", ["label"]),
  SelectionRange: plainClass("SelectionRange", ["range", "parent"]),
  LinkedEditingRanges: plainClass("LinkedEditingRanges", ["ranges", "wordPattern"]),
  SemanticTokens: plainClass("SemanticTokens", ["data", "resultId"]),
  SemanticTokensEdit: plainClass("SemanticTokensEdit", ["start", "deleteCount", "data"]),
  SemanticTokensEdits: plainClass("SemanticTokensEdits", ["edits", "resultId"]),
  InlineValueText: plainClass("InlineValueText", ["range", "text"]),
  InlineValueVariableLookup: plainClass("InlineValueVariableLookup", ["range", "variableName", "caseSensitiveLookup"]),
  InlineValueEvaluatableExpression: plainClass("InlineValueEvaluatableExpression", ["range", "expression"]),
  InlineCompletionItem: plainClass("InlineCompletionItem", ["insertText", "range", "command"]),
  InlineCompletionList: plainClass("InlineCompletionList", ["items"]),
  InlineCompletionTriggerKind: { Invoke: 0, Automatic: 1 },
  TabInputText: plainClass("TabInputText", ["uri"]),
  TabInputTextDiff: plainClass("TabInputTextDiff", ["original", "modified"]),
  TabInputNotebook: plainClass("TabInputNotebook", ["uri", "notebookType"]),
  TabInputCustom: plainClass("TabInputCustom", ["uri", "viewType"]),
  TextDocumentSaveReason: { Manual: 1, AfterDelay: 2, FocusOut: 3 },
  TextDocumentChangeReason: { Undo: 1, Redo: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2, Three: 3 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  EndOfLine: { LF: 1, CRLF: 2 },
  LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
  ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  UIKind: { Desktop: 1, Web: 2 },
  FileType: { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ThemeColor,
  QuickPickItemKind: { Separator: -1, Default: 0 },
  TextEditorRevealType: { Default: 0, InCenter: 1, InCenterIfOutsideViewport: 2, AtTop: 3 },
  window,
  workspace,
  languages,
  commands,
  env,
  extensions: { getExtension: () => undefined, all: [], onDidChange: new EventEmitter().event },
  l10n: { t: (message, ...args) => (typeof message === "string" ? message.replace(/\{(\d+)\}/g, (_, index) => String(args[index])) : message.message) },
  __test,
};

// Fail loudly, naming the API, when the client needs something not modelled.
module.exports = new Proxy(api, {
  get(target, name) {
    if (name in target || typeof name === "symbol" || name === "then" || name === "__esModule" || name === "default") {
      return target[name];
    }
    throw new Error(`vscode stand-in: vscode.${String(name)} is not modelled`);
  },
});
