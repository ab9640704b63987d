---@brief
---
--- qbank: interview questions in markdown notes (`qbank lsp`): hover,
--- completion, code actions, diagnostics, code lenses and folding for the
--- questions of a bank.
---
--- Install the binary from a clone of the repository:
--- ```sh
--- cargo install --path .
--- ```
---
--- The configuration that `vim.lsp.enable("qbank")` uses on Neovim 0.11+.
--- Change it with `vim.lsp.config("qbank", { ... })` or
--- `require("qbank").setup()`.
---
--- Settings override `.qbank.toml` key by key; give only the ones you set:
--- ```lua
--- vim.lsp.config("qbank", {
---   settings = {
---     qbank = {
---       builtin = true,
---       banks = { "team/sre.md" },
---       mode = "interview",
---       templates = ".qbank/templates",
---       packetSize = 10,
---       coverage = true,
---       desiredRetention = 0.9, -- 0.7-0.99: the chance of recall reviews aim at
---       reviewHints = true,     -- the `review-due` hint
---     },
---   },
--- })
--- ```
--- (Neovim sends them to the server after it starts.)
---
--- The root is the nearest folder holding `.qbank.toml` or `.git` (so a
--- repository inside a qbank folder is its own root), else the nearest
--- holding `questions`. Neovim 0.11.0-0.11.2 take no groups of markers:
--- there `.qbank.toml` in any ancestor comes first.
---
--- The plugin (plugin/qbank.lua) adds `:QbankPacket [N]`,
--- `:QbankSearch [words]`, `:QbankReview` and
--- `:QbankScores [all|by-question]`, and refreshes the code lenses of the
--- buffers qbank is attached to (on attach, BufEnter, InsertLeave,
--- CursorHold and after a rating): over a due or new answer,
--- `vim.lsp.codelens.run()` on Again, Hard, Good or Easy rates it. See
--- `:help qbank`.

---@type vim.lsp.Config
return {
  cmd = { "qbank", "lsp" },
  filetypes = { "markdown" },
  root_markers = vim.fn.has("nvim-0.11.3") == 1 and { { ".qbank.toml", ".git" }, "questions" }
    or { ".qbank.toml", ".git", "questions" },
}
