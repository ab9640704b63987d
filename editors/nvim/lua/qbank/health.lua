--- `:checkhealth qbank`: the binary, its version, the settings in force,
--- the server (and whether it reviews: `:QbankReview` and the review
--- lenses; whether it rolls up scores: `:QbankScores`).
local M = {}

local health = vim.health or require("health")
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local error = health.error or health.report_error
local info = health.info or health.report_info

function M.check()
  local qbank = require("qbank")
  start("qbank")
  if vim.fn.has("nvim-0.9") ~= 1 then
    error("Neovim 0.9 or newer is needed")
  else
    ok("Neovim " .. tostring(vim.version()))
  end

  -- The command in force: vim.lsp.config's (0.11+, which merges lsp/qbank.lua,
  -- setup() and the user's own vim.lsp.config), else setup()'s.
  local cmd = qbank.options.cmd or { "qbank", "lsp" }
  if vim.lsp.config and vim.lsp.enable then
    local found, config = pcall(function()
      return vim.lsp.config[qbank.name]
    end)
    if found and config and type(config.cmd) == "table" then
      cmd = config.cmd
    end
  end
  local binary = cmd[1]
  local path = vim.fn.exepath(binary)
  if path == "" then
    error(("`%s` is not an executable on PATH"):format(binary), {
      "Install qbank: `cargo install --path .` in a clone of the repository",
      'or point the plugin at it: require("qbank").setup({ cmd = { "/path/to/qbank", "lsp" } })',
    })
    return
  end
  ok(("binary: %s"):format(path))

  local result
  if vim.system then
    result = vim.system({ path, "--version" }, { text = true }):wait(5000)
  else -- Neovim 0.9
    local stdout = vim.fn.system({ path, "--version" })
    result = { code = vim.v.shell_error, stdout = stdout }
  end
  local version = vim.trim(result.stdout or "")
  if result.code == 0 and version ~= "" then
    ok(("version: %s"):format(version))
  else
    error(("`%s --version` failed (exit %s)"):format(path, tostring(result.code)))
  end

  -- The settings in force: on 0.11+, vim.lsp.config's `settings.qbank`
  -- (lsp/qbank.lua, setup()'s and the user's own vim.lsp.config("qbank", …)
  -- merged); on 0.9-0.10, setup()'s.
  local settings, source = qbank.options.settings or {}, "setup()"
  if vim.lsp.config and vim.lsp.enable then
    local found, config = pcall(function()
      return vim.lsp.config[qbank.name]
    end)
    local from_config = found and type(config) == "table" and type(config.settings) == "table"
      and config.settings.qbank
    settings = type(from_config) == "table" and from_config or {}
    source = qbank.setup_called and "setup() and vim.lsp.config" or "vim.lsp.config"
  end
  if next(settings) == nil then
    info(("settings (%s): none, .qbank.toml decides"):format(source))
  else
    info(("settings (%s): %s"):format(source, vim.inspect(settings, { newline = " ", indent = "" })))
  end
  local retention = settings.desiredRetention
  if retention ~= nil and (type(retention) ~= "number" or retention < 0.7 or retention > 0.99) then
    warn(("desiredRetention = %s is ignored by the server: give a number from 0.7 to 0.99"):format(
      vim.inspect(retention)))
  end
  if settings.reviewHints ~= nil and type(settings.reviewHints) ~= "boolean" then
    warn(("reviewHints = %s is ignored by the server: give true or false"):format(vim.inspect(settings.reviewHints)))
  end

  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local clients = get({ name = qbank.name })
  if #clients == 0 then
    warn("no qbank server is running: open a markdown file (filetype markdown)")
    return
  end
  for _, client in ipairs(clients) do
    local buffers = vim.tbl_keys(client.attached_buffers or {})
    local server_info = type(client.server_info) == "table" and client.server_info or {}
    local server = tostring(server_info.name or "?") .. " " .. tostring(server_info.version or "")
    if #buffers > 0 then
      ok(("server attached: client %d (%s), root %s, %d buffer(s)"):format(
        client.id, vim.trim(server), client.root_dir or client.config.root_dir or "none", #buffers))
    else
      warn(("client %d runs but is attached to no buffer"):format(client.id))
    end
    local capabilities = client.server_capabilities or {}
    local commands = type(capabilities.executeCommandProvider) == "table"
      and capabilities.executeCommandProvider.commands or {}
    if vim.tbl_contains(commands, "qbank.nextDue") and vim.tbl_contains(commands, "qbank.review")
      and capabilities.codeLensProvider
    then
      ok(("client %d reviews: :QbankReview and the review lenses"):format(client.id))
    else
      warn(("client %d does not schedule reviews (no qbank.nextDue, qbank.review or code lenses)"):format(client.id),
        { "Update qbank: spaced review came with a newer version" })
    end
    if vim.tbl_contains(commands, "qbank.scores") then
      ok(("client %d rolls up scores: :QbankScores"):format(client.id))
    else
      warn(("client %d does not roll up scores (no qbank.scores)"):format(client.id),
        { "Update qbank: :QbankScores came with a newer version" })
    end
  end

end

return M
