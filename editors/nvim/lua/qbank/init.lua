--- qbank for Neovim: starts `qbank lsp` for markdown files and adds
--- `:QbankPacket [N]` and `:QbankSearch [words]`. A thin shim: every feature
--- lives in the server.
---
--- Neovim 0.11+: `vim.lsp.config` + `vim.lsp.enable` (with `lsp/qbank.lua`).
--- Neovim 0.9–0.10: a FileType autocmd with `vim.lsp.start`.
local M = {}

---@class qbank.Options
---@field cmd? string[]            command, default { "qbank", "lsp" }
---@field filetypes? string[]      default { "markdown" }
---@field root_markers? string[]   default { ".qbank.toml", "questions", ".git" }
---@field settings? table          qbank settings: builtin, banks, mode, templates, packetSize, coverage
---@field on_attach? fun(client: vim.lsp.Client, bufnr: integer)
---@field capabilities? table

M.name = "qbank"

local defaults = {
  cmd = { "qbank", "lsp" },
  filetypes = { "markdown" },
  root_markers = { ".qbank.toml", "questions", ".git" },
  settings = {},
}

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

local function find_root(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local start = name ~= "" and vim.fs.dirname(name) or vim.fn.getcwd()
  local found = vim.fs.find(markers, { path = start, upward = true })[1]
  return found and vim.fs.dirname(found) or start
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
    local root = find_root(bufnr, config.root_markers)
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

local function request(client, method, params, handler)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:request(method, params, handler, 0)
  end
  return client.request(method, params, handler, 0)
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
  local argument = {
    uri = vim.uri_from_bufnr(0),
    position = cursor_position(client),
    -- nil: the server's packet size (`packet_size` of .qbank.toml).
    count = count or M.options.settings.packetSize,
    categories = opts.categories or {},
    mode = opts.mode or M.options.settings.mode,
    seed = opts.seed or math.random(0, 2 ^ 31 - 1),
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
  end)
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

local function insert_at_cursor(text, whole_line)
  if whole_line then
    vim.api.nvim_set_current_line(text)
    vim.api.nvim_win_set_cursor(0, { vim.api.nvim_win_get_cursor(0)[1], #text })
    return
  end
  local row, column = unpack(vim.api.nvim_win_get_cursor(0))
  local line = vim.api.nvim_get_current_line()
  local at = math.min(column + 1, #line)
  vim.api.nvim_buf_set_text(0, row - 1, at, row - 1, at, { text })
  vim.api.nvim_win_set_cursor(0, { row, at + #text })
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
    end)
  end
  if query and query ~= "" then
    run(query)
  else
    vim.ui.input({ prompt = "qbank search: " }, run)
  end
end

--- `:QbankPacket [N]` and `:QbankSearch [words]` (plugin/qbank.lua makes
--- them at start-up; `setup` again, which is harmless).
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
end

--- Start qbank for markdown files.
---@param opts? qbank.Options
function M.setup(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  M.create_commands()
  if has_native_config() then
    vim.lsp.config(M.name, lsp_config(M.options))
    vim.lsp.enable(M.name)
    -- `vim.lsp.enable` starts clients for buffers already open only after
    -- VimEnter; a plugin manager may call `setup` earlier, or from the
    -- first markdown buffer's FileType (lazy-loading on `ft`).
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(bufnr)
        and vim.tbl_contains(M.options.filetypes, vim.bo[bufnr].filetype)
        and not M.client(bufnr)
      then
        pcall(vim.api.nvim_exec_autocmds, "FileType", { group = "nvim.lsp.enable", buffer = bufnr, modeline = false })
      end
    end
  else
    start_on_filetype(M.options)
  end
end

return M
