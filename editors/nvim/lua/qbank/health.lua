--- `:checkhealth qbank`: the binary, its version, the server.
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

  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local clients = get({ name = qbank.name })
  if #clients == 0 then
    warn("no qbank server is running: open a markdown file (filetype markdown)")
    return
  end
  for _, client in ipairs(clients) do
    local buffers = vim.tbl_keys(client.attached_buffers or {})
    local server = client.server_info and (client.server_info.name .. " " .. (client.server_info.version or "")) or "?"
    if #buffers > 0 then
      ok(("server attached: client %d (%s), root %s, %d buffer(s)"):format(
        client.id, vim.trim(server), client.root_dir or client.config.root_dir or "none", #buffers))
    else
      warn(("client %d runs but is attached to no buffer"):format(client.id))
    end
  end
  info(("settings: %s"):format(vim.inspect(qbank.options.settings, { newline = " ", indent = "" })))
end

return M
