-- :QbankPacket, :QbankSearch, :QbankReview, :QbankScores and the code lens
-- refresh for any qbank client, whether it was started by
-- require("qbank").setup() or by a plain vim.lsp.enable("qbank").
if vim.g.loaded_qbank then
  return
end
vim.g.loaded_qbank = true
require("qbank").create_commands()
