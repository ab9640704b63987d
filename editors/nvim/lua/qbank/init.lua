--- qbank for Neovim: starts `qbank lsp` for markdown files and adds
--- `:QbankPacket [N]`, `:QbankSearch [words]`, `:QbankReview` and
--- `:QbankScores [all|by-question]`, and keeps
--- the code lenses of attached buffers fresh (the review lenses rate
--- through the server). A thin shim: every feature lives in the server.
---
--- Neovim 0.11+: `vim.lsp.config` + `vim.lsp.enable` (with `lsp/qbank.lua`).
--- Neovim 0.9–0.10: a FileType autocmd with `vim.lsp.start`.
local M = {}

---@class qbank.Options
---@field cmd? string[]            command, default { "qbank", "lsp" }
---@field filetypes? string[]      default { "markdown" }
---@field root_markers? (string|string[])[]  default { { ".qbank.toml", ".git" }, "questions" }: the
---                                nearest folder holding either of the first two, else one holding `questions`
---@field settings? table          qbank settings: builtin, banks, mode, templates, packetSize, coverage,
---                                desiredRetention (0.7-0.99, default 0.9), reviewHints (default true)
---@field on_attach? fun(client: vim.lsp.Client, bufnr: integer)
---@field capabilities? table

M.name = "qbank"

--- The root markers: the nearest folder holding `.qbank.toml` or `.git`
--- (equal priority, so a repository nested in a qbank folder is its own
--- root), else the nearest holding `questions`. Neovim 0.11.0-0.11.2 take
--- only a flat list, where `.qbank.toml` in any ancestor comes first.
local function default_root_markers()
  if vim.fn.has("nvim-0.11") == 1 and vim.fn.has("nvim-0.11.3") == 0 then
    return { ".qbank.toml", ".git", "questions" }
  end
  return { { ".qbank.toml", ".git" }, "questions" }
end

local defaults = {
  cmd = { "qbank", "lsp" },
  filetypes = { "markdown" },
  root_markers = default_root_markers(),
  settings = {},
}

--- Whether `setup` was called (`:checkhealth qbank` says where the
--- settings in force come from).
M.setup_called = false

--- The options in force (after `setup`).
M.options = vim.deepcopy(defaults)

local function has_native_config()
  return vim.fn.has("nvim-0.11") == 1 and vim.lsp.config ~= nil and vim.lsp.enable ~= nil
end

--- The `vim.lsp.Config` for these options.
local function lsp_config(options)
  local config = {
    cmd = options.cmd,
    filetypes = options.filetypes,
    root_markers = options.root_markers,
    -- The server reads its settings from initializationOptions, and from
    -- workspace/didChangeConfiguration (section `qbank`), which Neovim sends
    -- after initializing when `settings` is not empty.
    init_options = vim.deepcopy(options.settings),
    settings = { qbank = vim.deepcopy(options.settings) },
  }
  if options.on_attach then
    config.on_attach = options.on_attach
  end
  if options.capabilities then
    config.capabilities = options.capabilities
  end
  return config
end

--- The root for `bufnr` as Neovim 0.11.3+ finds it from `root_markers`:
--- each entry in turn (a name, or a list of names of equal priority)
--- searched upward from the buffer's folder, the nearest match winning;
--- the buffer's folder when none matches.
---@param markers (string|string[])[]
function M.find_root(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local start = name ~= "" and vim.fs.dirname(name) or vim.fn.getcwd()
  for _, marker in ipairs(markers) do
    -- vim.fs.find takes a name or a list of names; upward, it stops at the
    -- nearest folder holding any of them.
    local found = vim.fs.find(marker, { path = start, upward = true })[1]
    if found then
      return vim.fs.dirname(found)
    end
  end
  return start
end

local augroup

--- Neovim 0.9 and 0.10: start (or reuse) a client for each markdown buffer.
local function start_on_filetype(options)
  augroup = vim.api.nvim_create_augroup("qbank", { clear = true })
  local config = lsp_config(options)
  local function start(bufnr)
    if vim.fn.executable(config.cmd[1]) ~= 1 then
      return
    end
    local root = M.find_root(bufnr, config.root_markers)
    vim.lsp.start(vim.tbl_extend("force", config, {
      name = M.name,
      root_dir = root,
      workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    }), { bufnr = bufnr })
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = augroup,
    pattern = config.filetypes,
    callback = function(event)
      start(event.buf)
    end,
  })
  -- Buffers already open when setup runs.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      start(bufnr)
    end
  end
end

--- The qbank client attached to a buffer (default: the current one).
---@return vim.lsp.Client?
function M.client(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get({ bufnr = bufnr, name = M.name })[1]
end

local function notify(message, level)
  vim.notify("qbank: " .. message, level or vim.log.levels.INFO)
end

local function attached_client()
  local client = M.client(0)
  if not client then
    notify("no qbank server is attached to this buffer (see :checkhealth qbank)", vim.log.levels.ERROR)
  end
  return client
end

--- A request about `bufnr`, a real buffer number: Neovim 0.11 flushes the
--- buffer's pending didChange before a request only when given its number
--- (with 0 it flushes nothing, and the request overtakes the last edit).
--- `nil` flushes every buffer of the client.
---@param bufnr integer?
local function request(client, method, params, handler, bufnr)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- A packet seed from the system's random source (`math.random` is not
--- seeded in a fresh Neovim: every session's first packet would be the same).
---@return integer from 0 to 2^31 - 1
function M.random_seed()
  local uv = vim.uv or vim.loop
  local ok, bytes = pcall(uv.random, 4)
  if not ok or type(bytes) ~= "string" or #bytes ~= 4 then
    math.randomseed(uv.hrtime() % 2 ^ 31)
    return math.random(0, 2 ^ 31 - 1)
  end
  local seed = 0
  for index = 1, 4 do
    seed = seed * 256 + bytes:byte(index)
  end
  return seed % 2 ^ 31
end

local function cursor_position(client)
  local encoding = client.offset_encoding or "utf-16"
  return vim.lsp.util.make_position_params(0, encoding).position
end

--- `:QbankPacket [N]`: the server's `qbank.insertPacket` at the cursor.
---@param count? integer
---@param opts? { categories?: string[], mode?: string, seed?: integer, on_done?: fun(err: any, result: any) }
function M.insert_packet(count, opts)
  opts = opts or {}
  local client = attached_client()
  if not client then
    return
  end
  local bufnr = vim.api.nvim_get_current_buf()
  local argument = {
    uri = vim.uri_from_bufnr(bufnr),
    position = cursor_position(client),
    -- nil: the server's packet size (`packet_size` of .qbank.toml).
    count = count or M.options.settings.packetSize,
    categories = opts.categories or {},
    mode = opts.mode or M.options.settings.mode,
    seed = opts.seed or M.random_seed(),
  }
  request(client, "workspace/executeCommand", {
    command = "qbank.insertPacket",
    arguments = { argument },
  }, function(err, result)
    if err then
      notify("insert packet failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
    if opts.on_done then
      opts.on_done(err, result)
    end
  end, bufnr)
end

local key_pattern = "%f[%w]([A-Z][A-Z0-9]*%-%d+)%f[^%w]"

--- Questions from `workspace/symbol` symbols: { key, text, category }.
local function questions_from_symbols(symbols)
  local items, seen = {}, {}
  for _, symbol in ipairs(symbols or {}) do
    local key = symbol.name:match(key_pattern)
    if key and not seen[key] then
      seen[key] = true
      local text = symbol.name:gsub("^#+%s*", ""):gsub(vim.pesc(key), "", 1):gsub("^[%s·:%.%-]+", "")
      text = vim.trim((text:gsub("^·%s*", "")))
      table.insert(items, { key = key, text = text, category = symbol.containerName })
    end
  end
  return items
end

--- What a chosen question becomes at the cursor: a question heading on an
--- empty line or after `#`s, else its key.
local function insertion(question)
  local line = vim.api.nvim_get_current_line()
  local column = vim.api.nvim_win_get_cursor(0)[2]
  local heading = question.text ~= "" and (question.key .. " · " .. question.text) or question.key
  if vim.trim(line) == "" then
    return "### " .. heading, true
  end
  local before = line:sub(1, column)
  if before:match("^%s*#+%s*$") then
    return (before:sub(-1) == " " and "" or " ") .. heading, false
  end
  return question.key, false
end

--- The byte column just after the character under the cursor (with its
--- composing characters): text put there never splits a character.
local function after_cursor_character(line, column)
  if column >= #line then
    return #line
  end
  -- `.` in a Vim pattern is one character with its composing characters.
  local character = vim.fn.matchstr(line, ("\\%%%dc."):format(column + 1))
  return column + math.max(#character, 1)
end

local function insert_at_cursor(text, whole_line)
  local window = vim.api.nvim_get_current_win()
  local bufnr = vim.api.nvim_win_get_buf(window)
  local row, column = unpack(vim.api.nvim_win_get_cursor(window))
  if whole_line then
    vim.api.nvim_buf_set_lines(bufnr, row - 1, row, false, { text })
    vim.api.nvim_win_set_cursor(window, { row, #text })
    return
  end
  local line = vim.api.nvim_buf_get_lines(bufnr, row - 1, row, false)[1]
  local at = after_cursor_character(line, column)
  vim.api.nvim_buf_set_text(bufnr, row - 1, at, row - 1, at, { text })
  vim.api.nvim_win_set_cursor(window, { row, at + #text })
end

--- `:QbankSearch [words]`: questions matching the words (asked for when
--- missing) through `vim.ui.select`; the choice is inserted at the cursor.
---@param query? string
---@param opts? { on_done?: fun(inserted: string?) }
function M.search(query, opts)
  opts = opts or {}
  local client = attached_client()
  if not client then
    return
  end
  local capabilities = client.server_capabilities or {}
  if not capabilities.workspaceSymbolProvider then
    notify("this qbank server does not search questions (no workspace symbols); update qbank", vim.log.levels.ERROR)
    return
  end
  local bufnr = vim.api.nvim_get_current_buf()
  local function run(words)
    if words == nil then
      return
    end
    request(client, "workspace/symbol", { query = words }, function(err, symbols)
      if err then
        notify("search failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
        return
      end
      local questions = questions_from_symbols(symbols)
      if #questions == 0 then
        notify("no question matches “" .. words .. "”", vim.log.levels.WARN)
        if opts.on_done then
          opts.on_done(nil)
        end
        return
      end
      vim.ui.select(questions, {
        prompt = "qbank question",
        format_item = function(question)
          return question.key .. "  " .. question.text .. (question.category and ("  (" .. question.category .. ")") or "")
        end,
      }, function(choice)
        if choice and vim.api.nvim_get_current_buf() == bufnr then
          local text, whole_line = insertion(choice)
          insert_at_cursor(text, whole_line)
          if opts.on_done then
            opts.on_done(text)
          end
        elseif opts.on_done then
          opts.on_done(nil)
        end
      end)
    end, bufnr)
  end
  if query and query ~= "" then
    run(query)
  else
    vim.ui.input({ prompt = "qbank search: " }, run)
  end
end

-- ------------------------------------------------------------------ review

local REVIEW = "qbank.review"
local NEXT_DUE = "qbank.nextDue"
local CONTENT_MODIFIED = -32801
-- How often, and how far apart, to ask again for the next due question
-- when the answer is older than the note's buffer.
local STALE_RETRIES = 20
local STALE_RETRY_MS = 100

local function supports_command(client, command)
  local provider = (client.server_capabilities or {}).executeCommandProvider
  return type(provider) == "table" and vim.tbl_contains(provider.commands or {}, command)
end

--- The version of `bufnr` that Neovim last sent (or is about to send).
local function buffer_version(bufnr)
  return vim.lsp.util.buf_versions[bufnr] or vim.api.nvim_buf_get_changedtick(bufnr)
end

local function refresh(bufnr)
  if vim.fn.has("nvim-0.10") == 1 then
    vim.lsp.codelens.refresh({ bufnr = bufnr })
  elseif bufnr == vim.api.nvim_get_current_buf() then
    vim.lsp.codelens.refresh() -- Neovim 0.9: the current buffer only
  end
end

--- Asks for the code lenses of `bufnr` again when a qbank server that
--- offers lenses is attached to it.
---@param bufnr? integer default: the current buffer
function M.refresh_lenses(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not vim.api.nvim_buf_is_loaded(bufnr) then
    return
  end
  local client = M.client(bufnr)
  if client and (client.server_capabilities or {}).codeLensProvider then
    refresh(bufnr)
  end
end

--- The 1-based line of the question heading for `key` in `bufnr`: the line
--- the server named when it still holds that heading, else the first
--- heading for the key (the server reads the notes a moment behind the
--- buffer; only the first section of a question is reviewed).
local function heading_row(bufnr, key, named_row)
  local key_pattern_in_heading = "%f[%w]" .. vim.pesc(key) .. "%f[^%w]"
  local function is_heading(line)
    return line ~= nil and line:match("^%s*#+%s") ~= nil and line:find(key_pattern_in_heading) ~= nil
  end
  if is_heading(vim.api.nvim_buf_get_lines(bufnr, named_row - 1, named_row, false)[1]) then
    return named_row
  end
  for index, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if is_heading(line) then
      return index
    end
  end
end

--- The due date in the review marker under the heading for `key`
--- ("2026-12-03"), or nil.
local function marker_due(bufnr, key, named_row)
  local row = heading_row(bufnr, key, named_row or 1)
  local marker = row and vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1]
  return marker and marker:match("^%s*<!%-%- qbank:.-· due (%d%d%d%d%-%d%d%-%d%d)")
end

--- " · next review 2026-12-03" from the marker under the heading for `key`.
local function next_review(bufnr, key)
  local due = marker_due(bufnr, key)
  return due and (" · next review " .. due) or ""
end

--- Whether a `qbank.nextDue` answer is older than the note's buffer: the
--- server indexes an open note a moment after it changes, so right after
--- a rating it may still name the question just rated.
local function behind_the_buffer(due)
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.uri_from_bufnr(bufnr) == due.uri then
      return marker_due(bufnr, due.key, due.range.start.line + 1) ~= due.due
    end
  end
  return false
end

--- Sends `qbank.review` with `argument` ({ uri, version, key, rating }) and
--- reports the outcome; the lenses of `bufnr` are refreshed either way.
---@param client vim.lsp.Client
---@param bufnr integer the note's buffer (a real number, never 0)
---@param argument { uri: string, version: integer, key: string, rating: string }
---@param on_done? fun(err: any, result: any)
local function rate(client, bufnr, argument, on_done)
  request(client, "workspace/executeCommand", { command = REVIEW, arguments = { argument } }, function(err, result)
    if err and err.code == CONTENT_MODIFIED then
      notify(("%s not rated: the note changed since the rating was offered; rate it again"):format(argument.key),
        vim.log.levels.WARN)
    elseif err then
      notify(err.message or vim.inspect(err), vim.log.levels.ERROR)
    elseif type(result) == "table" and result.applied then
      notify(("%s rated %s%s"):format(argument.key, argument.rating, next_review(bufnr, argument.key)))
    else
      notify(("%s not rated: Neovim did not apply the edit"):format(argument.key), vim.log.levels.WARN)
    end
    M.refresh_lenses(bufnr)
    if on_done then
      on_done(err, result)
    end
  end, bufnr)
end

--- Puts the cursor of `window` on `row` and the lines `first` to `last` in
--- a closed manual fold, the window's only one unless it already had
--- manual folds. Returns `open` (shows the answer) and `finish` (gives the
--- window its fold method back, which recomputes its own folds).
local function fold_answer(window, row, first, last)
  local function set(name, value)
    vim.api.nvim_set_option_value(name, value, { scope = "local", win = window })
  end
  local method = vim.api.nvim_get_option_value("foldmethod", { win = window })
  local enabled = vim.api.nvim_get_option_value("foldenable", { win = window })
  vim.api.nvim_win_call(window, function()
    if last >= first then
      set("foldmethod", "manual")
      set("foldenable", true)
      if method ~= "manual" then
        -- The folds of the old method would turn manual and nest with ours.
        vim.cmd("normal! zE")
      end
      vim.cmd(("%d,%dfold"):format(first, last)) -- created closed
    end
    vim.api.nvim_win_set_cursor(window, { row, 0 })
    vim.cmd("normal! zvzz")
  end)
  local fold = {}
  function fold.open()
    if last >= first and vim.api.nvim_win_is_valid(window) then
      vim.api.nvim_win_call(window, function()
        local cursor = vim.api.nvim_win_get_cursor(window)
        vim.api.nvim_win_set_cursor(window, { first, 0 })
        vim.cmd("normal! zv")
        vim.api.nvim_win_set_cursor(window, cursor)
      end)
    end
  end
  function fold.finish()
    fold.open()
    if last >= first and vim.api.nvim_win_is_valid(window) then
      set("foldmethod", method)
      set("foldenable", enabled)
    end
  end
  return fold
end

--- "due today", "due 3 days ago".
local function describe_due(due)
  local days = tonumber(due.overdueDays) or 0
  if days <= 0 then
    return "due today"
  elseif days == 1 then
    return "due since yesterday"
  end
  return ("due %d days ago"):format(days)
end

local RATINGS = { "Again", "Hard", "Good", "Easy" }

--- Shows the due question `due` (a `qbank.nextDue` result) with its answer
--- folded, then asks to show the answer and for a rating.
local function present(client, due, opts)
  local encoding = client.offset_encoding or "utf-16"
  local shown, problem = pcall(vim.lsp.util.show_document, { uri = due.uri, range = due.range }, encoding,
    { reuse_win = true, focus = true })
  local bufnr = vim.uri_to_bufnr(due.uri)
  local window = vim.api.nvim_get_current_win()
  if not shown or vim.api.nvim_win_get_buf(window) ~= bufnr then
    notify(("cannot open %s%s"):format(vim.uri_to_fname(due.uri), shown and "" or (": " .. tostring(problem))),
      vim.log.levels.ERROR)
    if opts.on_done then
      opts.on_done(problem, nil)
    end
    return
  end
  -- The server that rates is the one the note is open in.
  local rater = M.client(bufnr)
  if not rater then
    vim.lsp.buf_attach_client(bufnr, client.id)
    rater = client
  end
  local named_row = due.range.start.line + 1
  local row = heading_row(bufnr, due.key, named_row)
  if not row then
    notify(("no heading for %s in %s"):format(due.key, vim.uri_to_fname(due.uri)), vim.log.levels.ERROR)
    return
  end
  -- The section's last line (its range ends at the start of the next line,
  -- or inside the last one), moved as the heading moved.
  local finish = type(due.section) == "table" and due.section["end"]
  local last = finish and (finish.character == 0 and finish.line or finish.line + 1) + (row - named_row) or row
  last = math.min(last, vim.api.nvim_buf_line_count(bufnr))
  local fold = fold_answer(window, row, row + 1, last)

  local question = type(due.question) == "string" and (" · " .. due.question) or ""
  local function done(err, result)
    if opts.on_done then
      opts.on_done(err, result)
    end
  end
  vim.ui.select({ "Show answer", "Skip" }, {
    prompt = ("%s%s (%s): recall your answer"):format(due.key, question, describe_due(due)),
    kind = "qbank.review",
  }, function(choice)
    if choice ~= "Show answer" then
      fold.finish()
      done(nil, nil)
      return
    end
    fold.open()
    vim.ui.select(RATINGS, {
      prompt = ("How well did you recall %s?"):format(due.key),
      kind = "qbank.rating",
    }, function(rating)
      fold.finish()
      if not rating or not vim.api.nvim_buf_is_valid(bufnr) then
        done(nil, nil)
        return
      end
      rate(rater, bufnr, {
        uri = vim.uri_from_bufnr(bufnr),
        version = buffer_version(bufnr),
        key = due.key,
        rating = rating:lower(),
      }, done)
    end)
  end)
end

--- `:QbankReview`: the next question due for review across the workspace
--- (`qbank.nextDue`), opened with its answer folded; "Show answer" opens
--- the fold, and the rating (Again, Hard, Good, Easy) is recorded by the
--- server in the note's review marker (`qbank.review`).
---@param opts? { on_done?: fun(err: any, result: any) }
function M.review(opts)
  opts = opts or {}
  local client = M.client(0)
  if not client then
    local get = vim.lsp.get_clients or vim.lsp.get_active_clients
    client = get({ name = M.name })[1]
  end
  if not client then
    notify("no qbank server is running: open a markdown note first (see :checkhealth qbank)", vim.log.levels.ERROR)
    return
  end
  if not supports_command(client, NEXT_DUE) or not supports_command(client, REVIEW) then
    notify("this qbank server does not schedule reviews (no qbank.nextDue); update qbank", vim.log.levels.ERROR)
    return
  end
  local function ask(attempts_left)
    -- bufnr nil: every buffer's pending changes reach the server first, as
    -- the next due question may stand in any open note.
    request(client, "workspace/executeCommand", { command = NEXT_DUE, arguments = {} }, function(err, due)
      if err then
        notify("review: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
        if opts.on_done then
          opts.on_done(err, nil)
        end
      elseif type(due) == "table" and attempts_left > 0 and behind_the_buffer(due) then
        vim.defer_fn(function()
          ask(attempts_left - 1)
        end, STALE_RETRY_MS)
      elseif type(due) == "table" then
        present(client, due, opts)
      else
        notify("Nothing due for review today")
        if opts.on_done then
          opts.on_done(nil, nil)
        end
      end
    end, nil)
  end
  ask(STALE_RETRIES)
end

-- ------------------------------------------------------------------ scores

local SCORES = "qbank.scores"

--- Any qbank client: the current buffer's, else the first running one.
local function any_client()
  local client = M.client(0)
  if not client then
    local get = vim.lsp.get_clients or vim.lsp.get_active_clients
    client = get({ name = M.name })[1]
  end
  return client
end

--- Shows `text` in a read-only scratch split (filetype `qbank-scores`),
--- reusing the window of the last one when it is still open; `q` closes it.
local function show_scratch(text, title)
  local shown = vim.split(text, "\n", { plain = true })
  if shown[#shown] == "" then
    table.remove(shown)
  end
  local bufnr = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, shown)
  for name, value in pairs({ buftype = "nofile", bufhidden = "wipe", swapfile = false, modifiable = false }) do
    vim.api.nvim_set_option_value(name, value, { buf = bufnr })
  end
  vim.api.nvim_set_option_value("filetype", "qbank-scores", { buf = bufnr })
  vim.b[bufnr].qbank_scores = title
  pcall(vim.api.nvim_buf_set_name, bufnr, ("qbank scores (%s) [%d]"):format(title, bufnr))
  vim.keymap.set("n", "q", "<cmd>close<cr>", { buffer = bufnr, nowait = true, desc = "qbank: close the scores" })
  local window
  for _, candidate in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
    if vim.b[vim.api.nvim_win_get_buf(candidate)].qbank_scores then
      window = candidate
      break
    end
  end
  if window then
    vim.api.nvim_set_current_win(window)
  else
    local height = math.max(3, math.min(#shown, math.floor(vim.o.lines / 2)))
    vim.cmd(("botright %dsplit"):format(height))
    window = vim.api.nvim_get_current_win()
  end
  vim.api.nvim_win_set_buf(window, bufnr)
  vim.api.nvim_set_option_value("wrap", false, { win = window })
  return bufnr
end

--- `:QbankScores [all|by-question]`: the roll-up of `qbank scores`
--- (`qbank.scores`) in a read-only split: for the current note's folder
--- (one candidate), the whole workspace (`all`), or per question across
--- candidates (`by-question`).
---@param scope? "all"|"by-question"
---@param opts? { on_done?: fun(err: any, bufnr: integer?) }
function M.scores(scope, opts)
  opts = opts or {}
  local function done(err, bufnr)
    if opts.on_done then
      opts.on_done(err, bufnr)
    end
  end
  scope = (scope == nil or scope == "") and "folder" or scope
  local client = any_client()
  if not client then
    notify("no qbank server is running: open a markdown note first (see :checkhealth qbank)", vim.log.levels.ERROR)
    return done("no client")
  end
  if not supports_command(client, SCORES) then
    notify("this qbank server does not roll up scores (no qbank.scores); update qbank", vim.log.levels.ERROR)
    return done("no qbank.scores")
  end
  local bufnr = vim.api.nvim_get_current_buf()
  -- An object even when empty (`all`): a plain `{}` is encoded as `[]`.
  local argument = vim.empty_dict()
  if scope == "folder" then
    local name = vim.api.nvim_buf_get_name(bufnr)
    if name == "" or vim.bo[bufnr].buftype ~= "" then
      notify("the current buffer is not a note: :QbankScores all rolls up the workspace", vim.log.levels.ERROR)
      return done("not a note")
    end
    argument.uri = vim.uri_from_fname(vim.fs.dirname(vim.fn.fnamemodify(name, ":p")))
  elseif scope == "by-question" then
    argument.byQuestion = true
  elseif scope ~= "all" then
    notify("usage: :QbankScores [all|by-question]", vim.log.levels.ERROR)
    return done("usage")
  end
  -- A real buffer number: the note's pending edits reach the server first
  -- (nil for the workspace: every buffer's).
  request(client, "workspace/executeCommand", { command = SCORES, arguments = { argument } }, function(err, result)
    if err then
      notify("scores: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return done(err)
    end
    local text = type(result) == "table" and result.text
    if type(text) ~= "string" then
      notify("scores: the server sent no text", vim.log.levels.ERROR)
      return done("no text")
    end
    done(nil, show_scratch(text, scope))
  end, scope == "folder" and bufnr or nil)
end

--- The review lenses run `qbank.review` here: the rating goes to the server
--- as the lens made it (with the version it was made for), and the outcome
--- is reported as `:QbankReview` reports it.
local function review_lens_command(command, context)
  local client = vim.lsp.get_client_by_id(context.client_id)
  local argument = (command.arguments or {})[1]
  if not client or type(argument) ~= "table" then
    return
  end
  local bufnr = (context.bufnr == nil or context.bufnr == 0) and vim.api.nvim_get_current_buf() or context.bufnr
  rate(client, bufnr, argument)
end

local lens_group

--- Refreshes the lenses of `bufnr` now and on BufEnter, InsertLeave and
--- CursorHold.
local function refresh_lenses_of(bufnr)
  vim.api.nvim_clear_autocmds({ group = lens_group, buffer = bufnr })
  vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "CursorHold" }, {
    group = lens_group,
    buffer = bufnr,
    callback = function()
      M.refresh_lenses(bufnr)
    end,
  })
  -- Once the attach is complete (didOpen sent).
  vim.schedule(function()
    M.refresh_lenses(bufnr)
  end)
end

--- Code lenses in buffers a qbank server is attached to: asked for on
--- attach, BufEnter, InsertLeave and CursorHold (Neovim does not take the
--- server's workspace/codeLens/refresh), and after each rating.
function M.create_autocmds()
  lens_group = vim.api.nvim_create_augroup("qbank.lens", { clear = true })
  vim.api.nvim_create_autocmd("LspAttach", {
    group = lens_group,
    callback = function(event)
      local client = vim.lsp.get_client_by_id(event.data.client_id)
      if client and client.name == M.name then
        refresh_lenses_of(event.buf)
      end
    end,
  })
  vim.api.nvim_create_autocmd("LspDetach", {
    group = lens_group,
    callback = function(event)
      local client = vim.lsp.get_client_by_id(event.data.client_id)
      if client and client.name == M.name and vim.api.nvim_buf_is_valid(event.buf) then
        vim.api.nvim_clear_autocmds({ group = lens_group, buffer = event.buf })
      end
    end,
  })
  -- Buffers attached before (`setup` called again clears the group).
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and M.client(bufnr) then
      refresh_lenses_of(bufnr)
    end
  end
end

--- `:QbankPacket [N]`, `:QbankSearch [words]`, `:QbankReview`,
--- `:QbankScores [all|by-question]`, the review
--- lenses' command and the lens refresh (plugin/qbank.lua makes them at
--- start-up; `setup` again, which is harmless).
function M.create_commands()
  vim.api.nvim_create_user_command("QbankPacket", function(command)
    local count = tonumber(command.args)
    if command.args ~= "" and not count then
      notify("usage: :QbankPacket [N]", vim.log.levels.ERROR)
      return
    end
    M.insert_packet(count)
  end, { nargs = "?", desc = "qbank: insert an interview packet of N questions at the cursor" })
  vim.api.nvim_create_user_command("QbankSearch", function(command)
    M.search(command.args)
  end, { nargs = "*", desc = "qbank: search questions and insert the chosen one" })
  vim.api.nvim_create_user_command("QbankReview", function()
    M.review()
  end, { nargs = 0, desc = "qbank: review the next due question (answer folded), then rate it" })
  vim.api.nvim_create_user_command("QbankScores", function(command)
    M.scores(command.args)
  end, {
    nargs = "?",
    complete = function()
      return { "all", "by-question" }
    end,
    desc = "qbank: scores of the note's folder (a candidate), all of them, or by question",
  })
  -- A user's own handler for the command wins.
  if vim.lsp.commands[REVIEW] == nil or vim.lsp.commands[REVIEW] == review_lens_command then
    vim.lsp.commands[REVIEW] = review_lens_command
  end
  M.create_autocmds()
end

--- Neovim 0.11+: starts (or reuses) the client of `vim.lsp.config.qbank`
--- for `bufnr`, a loaded file buffer of its filetypes with no qbank
--- client yet, with the root that `vim.lsp.enable` would give it.
local function start_enabled(bufnr)
  if not vim.api.nvim_buf_is_loaded(bufnr) or vim.bo[bufnr].buftype ~= "" or M.client(bufnr) then
    return
  end
  local config = vim.deepcopy(vim.lsp.config[M.name])
  if not config or not vim.tbl_contains(config.filetypes or {}, vim.bo[bufnr].filetype) then
    return
  end
  local function start(root)
    config.root_dir = root
    vim.lsp.start(config, { bufnr = bufnr, reuse_client = config.reuse_client })
  end
  if type(config.root_dir) == "function" then
    config.root_dir(bufnr, function(root)
      vim.schedule(function()
        start(root)
      end)
    end)
  elseif config.root_dir then
    start(config.root_dir)
  else
    start(config.root_markers and vim.fs.root(bufnr, config.root_markers) or nil)
  end
end

--- Start qbank for markdown files.
---@param opts? qbank.Options
function M.setup(opts)
  opts = opts or {}
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts)
  -- Lists are given whole, not merged index by index with the defaults.
  for _, key in ipairs({ "cmd", "filetypes", "root_markers" }) do
    if opts[key] ~= nil then
      M.options[key] = vim.deepcopy(opts[key])
    end
  end
  M.setup_called = true
  M.create_commands()
  if has_native_config() then
    vim.lsp.config(M.name, lsp_config(M.options))
    vim.lsp.enable(M.name)
    -- `vim.lsp.enable` starts clients for buffers already open only after
    -- VimEnter; a plugin manager may call `setup` earlier, or from the
    -- first markdown buffer's FileType (lazy-loading on `ft`): start those
    -- here, as `vim.lsp.enable` would, through the public `vim.lsp.start`.
    if vim.v.vim_did_enter ~= 1 then
      for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
        start_enabled(bufnr)
      end
    end
  else
    start_on_filetype(M.options)
  end
end

return M
