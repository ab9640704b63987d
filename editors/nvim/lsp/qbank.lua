-- qbank: interview questions in markdown notes (`qbank lsp`).
-- The configuration that `vim.lsp.enable("qbank")` uses on Neovim 0.11+.
-- Change it with vim.lsp.config("qbank", { ... }) or require("qbank").setup().
--
-- Settings override `.qbank.toml` key by key; give them as
--   settings = { qbank = { builtin = true, banks = { "team/sre.md" },
--                          mode = "interview", templates = ".qbank/templates",
--                          packetSize = 10 } }
-- (Neovim sends them to the server after it starts).

---@type vim.lsp.Config
return {
  cmd = { "qbank", "lsp" },
  filetypes = { "markdown" },
  root_markers = { ".qbank.toml", "questions", ".git" },
}
