-- Headless Neovim 0.11 against `qbank lsp`, with the plugin of editors/nvim
-- loaded by the init.lua that run.sh writes (as the README says a user
-- would). Run by tests/editors/run.sh:
--   nvim --headless -c "luafile tests/editors/nvim_test.lua"
-- Environment: QBANK_TEST_WORKSPACE (a scratch folder to write the notes in);
-- the test sets QBANK_TODAY for the server it starts.
-- Prints one line per check and "N passed, N failed"; exits 1 on a failure.

local workspace = assert(os.getenv("QBANK_TEST_WORKSPACE"), "QBANK_TEST_WORKSPACE is not set")
-- Shorter against the fake server (run.sh): a server that answers nothing
-- fails every wait anyway.
local TIMEOUT = tonumber(os.getenv("QBANK_TEST_TIMEOUT_MS") or "") or 10000
-- The server's "today" for spaced review: it inherits Neovim's environment.
local TODAY = "2026-11-30"
vim.env.QBANK_TODAY = TODAY

-- The plugin never fires Neovim's internal `nvim.lsp.enable` autocommands
-- (run.sh's init.lua may call setup() from a FileType autocommand).
local fired_internal_group = {}
local exec_autocmds = vim.api.nvim_exec_autocmds
vim.api.nvim_exec_autocmds = function(event, opts)
  if type(opts) == "table" and opts.group == "nvim.lsp.enable" then
    table.insert(fired_internal_group, debug.traceback("", 2))
  end
  return exec_autocmds(event, opts)
end

local passed, failed = 0, 0
local function check(name, fn)
  local ok, err = pcall(fn)
  if ok then
    passed = passed + 1
    io.stdout:write("ok   nvim: " .. name .. "\n")
  else
    failed = failed + 1
    io.stdout:write("FAIL nvim: " .. name .. ": " .. tostring(err) .. "\n")
  end
end

local function finish()
  io.stdout:write(("nvim: %d passed, %d failed\n"):format(passed, failed))
  for _, client in ipairs(vim.lsp.get_clients()) do
    client:stop()
  end
  vim.wait(2000, function()
    return #vim.lsp.get_clients() == 0
  end, 50)
  vim.cmd((failed > 0 or passed == 0) and "cquit 1" or "qall!")
end

local function wait_for(what, condition)
  local ok = vim.wait(TIMEOUT, condition, 20)
  assert(ok, "timed out waiting for " .. what)
end

local function lines()
  return vim.api.nvim_buf_get_lines(0, 0, -1, false)
end

local function find_line(pattern)
  for index, line in ipairs(lines()) do
    if line:find(pattern, 1, true) then
      return index
    end
  end
  error("no line with " .. pattern)
end

-- The byte column where `text` starts on its line.
local function find_line_text(text)
  local line = lines()[find_line(text)]
  return line:find(text, 1, true)
end

-- A request about the current buffer, by its number: Neovim 0.11 flushes
-- the pending changes of a buffer given by number, none for 0.
local function request(method, params)
  local client = assert(require("qbank").client(0), "no client")
  assert(client:supports_method(method), "the server does not support " .. method)
  local responses, err = vim.lsp.buf_request_sync(vim.api.nvim_get_current_buf(), method, params, TIMEOUT)
  assert(responses, ("%s: %s"):format(method, tostring(err)))
  for _, response in pairs(responses) do
    assert(not response.err, ("%s: %s"):format(method, vim.inspect(response.err)))
    return response.result
  end
  error(method .. ": no answer")
end

local function position_params(row, col)
  local client = assert(require("qbank").client(0), "no client")
  vim.api.nvim_win_set_cursor(0, { row, col })
  return vim.lsp.util.make_position_params(0, client.offset_encoding)
end

local function count_question_headings(buffer_lines)
  local count = 0
  for _, line in ipairs(buffer_lines) do
    if line:match("^#+ %u[%u%d]*%-%d+ · ") then
      count = count + 1
    end
  end
  return count
end

-- A workspace (its root marked by .qbank.toml) and a note in it.
-- The init.lua passes settings = { banks = { "team/sre.md" } }.
assert(io.open(workspace .. "/.qbank.toml", "w")):close()
vim.fn.mkdir(workspace .. "/team", "p")
vim.fn.writefile({ "---", "prefix: SRE", "---", "## Reliability", "1. What is an error budget, and how do you spend it?" },
  workspace .. "/team/sre.md")
-- Notes for spaced review, written before the server starts (it reads the
-- workspace's notes once): two answered questions overdue on TODAY, and one
-- answered but never reviewed.
local review_note = workspace .. "/review.md"
vim.fn.writefile({
  "# Review",
  "",
  "## BE-23 · What is ACID compliance, and why is it important in databases?",
  "<!-- qbank: reviewed 2026-11-20 good · due 2026-11-27 · s=7 d=5 n=2 -->",
  "",
  "Atomicity, consistency, isolation and durability: a transaction happens",
  "whole or not at all, and what it wrote survives a crash.",
  "",
  "## BE-61 · What is caching, and why is it important for back-end performance?",
  "<!-- qbank: reviewed 2026-11-25 good · due 2026-11-29 · s=4 d=5 n=1 -->",
  "",
  "Keeping hot data close to where it is used, so repeated reads skip the",
  "slow path; the hard part is invalidation.",
}, review_note)
local lens_note = workspace .. "/lens.md"
vim.fn.writefile({
  "# Lens",
  "",
  "## BE-1 · What is back-end development, and how does it differ from front-end development?",
  "",
  "The server side: data, business rules and APIs, where the front end is",
  "what runs in the browser.",
}, lens_note)
-- Two candidates' interview rounds, scored (a rubric is a question heading
-- with a `**Score:**` line), for :QbankScores.
local function rubric(key, question, score)
  return { "### " .. key .. " · " .. question, "", "**Score:** " .. score, "" }
end
local ACID = "What is ACID compliance, and why is it important in databases?"
local CACHING = "What is caching, and why is it important for back-end performance?"
local BACK_END = "What is back-end development, and how does it differ from front-end development?"
vim.fn.mkdir(workspace .. "/candidates/alice", "p")
vim.fn.mkdir(workspace .. "/candidates/bob", "p")
local alice_round_1 = workspace .. "/candidates/alice/round-1.md"
local alice_round_2 = workspace .. "/candidates/alice/round-2.md"
vim.fn.writefile(vim.list_extend({ "# Round 1", "" },
  vim.list_extend(rubric("BE-23", ACID, 3), rubric("BE-61", CACHING, 2))), alice_round_1)
vim.fn.writefile(vim.list_extend({ "# Round 2", "" }, rubric("BE-1", BACK_END, 4)), alice_round_2)
vim.fn.writefile(vim.list_extend({ "# Round 1", "" }, rubric("BE-23", ACID, 1)), workspace .. "/candidates/bob/round-1.md")
local note = workspace .. "/note.md"
local file = assert(io.open(note, "w"))
file:write(table.concat({
  "# Notes",
  "",
  "BE-23 is about transactions; SRE-1 is the team's.",
  "",
  "### BE-61 · What is caching, and why is it important for back-end performance?",
  "",
  "BE-999 does not exist.",
  "",
  "Search @cach",
  "",
}, "\n"))
file:close()
vim.cmd.edit(vim.fn.fnameescape(note))

check("the note is markdown", function()
  assert(vim.bo.filetype == "markdown", "filetype is " .. vim.bo.filetype)
end)

check("the qbank client attaches", function()
  wait_for("the qbank client", function()
    local client = require("qbank").client(0)
    return client ~= nil and client.initialized
  end)
  local client = require("qbank").client(0)
  assert(#fired_internal_group == 0,
    "nvim.lsp.enable's autocommands fired by " .. table.concat(fired_internal_group, "\n"))
  assert(client.server_capabilities.hoverProvider, "no hover capability")
  assert(client.config.root_dir == vim.uv.fs_realpath(workspace) or client.config.root_dir == workspace,
    "root_dir is " .. tostring(client.config.root_dir))
end)

check("hover on BE-23 shows the question", function()
  local result = request("textDocument/hover", position_params(find_line("BE-23 is"), 1))
  assert(result and result.contents, "no hover")
  local text = type(result.contents) == "table" and (result.contents.value or vim.inspect(result.contents)) or result.contents
  assert(text:find("What is ACID compliance, and why is it important in databases?", 1, true), "hover is: " .. text)
  assert(text:find("Databases and Data Storage", 1, true), "no category in: " .. text)
end)

check("the settings reach the server (the team bank hovers)", function()
  local result = request("textDocument/hover", position_params(find_line("SRE-1"), find_line_text("SRE-1")))
  assert(result and result.contents, "no hover on SRE-1: the banks setting did not reach the server")
  local text = result.contents.value or vim.inspect(result.contents)
  assert(text:find("error budget", 1, true), "hover is: " .. text)
end)

check("completion after @cach offers caching questions", function()
  local row = find_line("Search @cach")
  local params = position_params(row, #"Search @cach")
  params.context = { triggerKind = 1 }
  local result = request("textDocument/completion", params)
  assert(result, "no completion")
  local items = result.items or result
  assert(#items > 0, "no items")
  local caching = {}
  for _, item in ipairs(items) do
    local text = (item.label or "") .. " " .. (item.detail or "") .. " " .. (item.filterText or "")
    if text:lower():find("cach", 1, true) then
      table.insert(caching, item.label)
    end
  end
  assert(#caching >= 2, "caching items: " .. vim.inspect(caching))
  local first = items[1]
  local labels = vim.inspect(vim.tbl_map(function(item) return item.label end, items))
  assert(((first.label or "") .. (first.detail or "")):lower():find("cach", 1, true), "first item is not about caching: " .. labels)
  -- Its edit covers the trigger and the typed word.
  local edit = first.textEdit
  assert(edit, "no textEdit on the first item")
  local range = edit.range or edit.replace
  assert(range.start.character == #"Search ", "edit starts at " .. range.start.character)
end)

check("\"Insert answer template\" applied by Neovim fills the section", function()
  local expected = vim.fn.systemlist({ "qbank", "show", "BE-61", "--template" })
  assert(vim.v.shell_error == 0 and #expected > 2, "qbank show --template failed: " .. table.concat(expected, "\n"))
  local row = find_line("### BE-61")
  local before = lines()
  vim.api.nvim_win_set_cursor(0, { row, 6 })
  local titles = {}
  vim.lsp.buf.code_action({
    filter = function(action)
      table.insert(titles, action.title)
      return action.title == "Insert answer template"
    end,
    apply = true,
  })
  wait_for("the template (actions offered: " .. vim.inspect(titles) .. ")", function()
    return #lines() > #before
  end)
  local after = lines()
  assert(after[row] == before[row], "the heading changed: " .. after[row])
  -- The template's body (after its heading line) now follows the heading.
  local body = {}
  for index = 2, #expected do
    table.insert(body, expected[index])
  end
  while body[1] == "" do
    table.remove(body, 1)
  end
  local start
  for index = row + 1, #after do
    if after[index] ~= "" then
      start = index
      break
    end
  end
  for offset, line in ipairs(body) do
    if line ~= "" then
      local got = vim.trim(after[start + offset - 1] or "")
      assert(got == vim.trim(line), ("line %d: expected %q, got %q"):format(start + offset - 1, line, got))
    end
  end
  -- Nothing else changed.
  assert(after[#after] == before[#before], "the end of the note changed")
  assert(after[1] == before[1] and after[3] == before[3], "the start of the note changed")
  -- Undo puts the note back, as one change.
  vim.cmd("silent undo")
  assert(vim.deep_equal(lines(), before), "undo did not restore the note")
end)

check("unknown-question arrives as a diagnostic", function()
  local row = find_line("BE-999")
  local found
  wait_for("an unknown-question diagnostic", function()
    for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
      if diagnostic.code == "unknown-question" then
        found = diagnostic
        return true
      end
    end
    return false
  end)
  assert(found.lnum == row - 1, "on line " .. found.lnum)
  assert(found.severity == vim.diagnostic.severity.ERROR, "severity " .. tostring(found.severity))
  assert(found.source == "qbank", "source " .. tostring(found.source))
  assert(found.message:find("BE-999", 1, true), found.message)
end)

check(":QbankPacket 5 inserts five questions", function()
  local before = lines()
  local headings_before = count_question_headings(before)
  vim.api.nvim_win_set_cursor(0, { #before, 0 })
  vim.cmd("QbankPacket 5")
  wait_for("the packet", function()
    return count_question_headings(lines()) > headings_before
  end)
  vim.wait(200)
  local inserted = count_question_headings(lines()) - headings_before
  vim.fn.writefile(lines(), workspace .. "/after-packet.md")
  assert(inserted == 5, inserted .. " question headings inserted")
  local packet_heading = false
  for _, line in ipairs(lines()) do
    if line:match("^#+ .*5 questions") then
      packet_heading = true
    end
  end
  assert(packet_heading, "no packet heading saying 5 questions")
  -- The packet skips questions already in the note.
  local seen = {}
  for _, line in ipairs(lines()) do
    local key = line:match("^#+ (%u[%u%d]*%-%d+) · ")
    if key then
      assert(not seen[key], key .. " twice")
      seen[key] = true
    end
  end
end)

check(":QbankSearch inserts the chosen question", function()
  local client = require("qbank").client(0)
  assert(client.server_capabilities.workspaceSymbolProvider, "the server offers no workspace symbols")
  local select = vim.ui.select
  local offered
  vim.ui.select = function(items, opts, on_choice)
    offered = vim.tbl_map(opts.format_item, items)
    on_choice(items[1], 1)
  end
  vim.api.nvim_buf_set_lines(0, -1, -1, false, { "" })
  vim.api.nvim_win_set_cursor(0, { #lines(), 0 })
  local inserted
  require("qbank").search("caching", { on_done = function(text) inserted = text or false end })
  wait_for("the search", function() return inserted ~= nil end)
  vim.ui.select = select
  assert(inserted, "nothing inserted; offered " .. vim.inspect(offered))
  assert(offered[1]:lower():find("cach", 1, true), "first offered: " .. offered[1])
  assert(lines()[#lines()]:match("^### %u[%u%d]*%-%d+ · "), "last line: " .. lines()[#lines()])
end)

check(":checkhealth qbank reports OK", function()
  vim.cmd("silent checkhealth qbank")
  local report = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  vim.fn.writefile(vim.split(report, "\n"), workspace .. "/checkhealth.txt")
  vim.cmd("bwipeout!")
  assert(not report:find("ERROR", 1, true), report)
  -- The settings in force, wherever they were given (setup() or
  -- vim.lsp.config): the init.lua gives banks = { "team/sre.md" }.
  local settings = report:match("settings %([^\n]*")
  assert(settings and settings:find('banks = { "team/sre.md" }', 1, true), "settings: " .. tostring(settings))
  for _, expected in ipairs({ "OK binary:", "OK version: qbank", "OK server attached",
    "reviews: :QbankReview and the review lenses", "rolls up scores: :QbankScores" }) do
    assert(report:find(expected, 1, true), "no “" .. expected .. "” in:\n" .. report)
  end
end)

-- ------------------------------------------------------------ spaced review

-- The buffer of `path` (a loaded one), or nil.
local function buffer_of(path)
  local wanted = vim.uv.fs_realpath(path)
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(bufnr)
    if name ~= "" and vim.uv.fs_realpath(name) == wanted then
      return bufnr
    end
  end
end

local function marker_of(rating)
  return "<!-- qbank: reviewed " .. TODAY .. " " .. rating .. " · due "
end

-- What the window shows when a prompt comes up.
local function window_state()
  local row = vim.api.nvim_win_get_cursor(0)[1]
  return {
    bufnr = vim.api.nvim_get_current_buf(),
    row = row,
    line = vim.api.nvim_get_current_line(),
    heading_fold = vim.fn.foldclosed(row),
    answer_fold = vim.fn.foldclosed(row + 1),
    answer_fold_end = vim.fn.foldclosedend(row + 1),
  }
end

-- Runs `:QbankReview` with vim.ui.select answering `answers` in turn (and
-- calling `at_prompt(n)` before the n-th answer; a prompt past the answers
-- is cancelled) and vim.notify recorded; returns the prompts' items, the
-- window at each prompt, and the notifications, once one came or a prompt
-- was cancelled.
local function review_with(answers, at_prompt)
  local prompts, states, messages = {}, {}, {}
  local cancelled = false
  local select, notify = vim.ui.select, vim.notify
  vim.ui.select = function(items, _, on_choice)
    table.insert(prompts, vim.deepcopy(items))
    table.insert(states, window_state())
    if at_prompt then
      at_prompt(#prompts)
    end
    for index, item in ipairs(items) do
      if item == answers[#prompts] then
        return on_choice(item, index)
      end
    end
    cancelled = true
    on_choice(nil, nil)
  end
  vim.notify = function(message, level)
    table.insert(messages, { message = message, level = level or vim.log.levels.INFO })
  end
  local ok, err = pcall(function()
    vim.cmd("QbankReview")
    wait_for("a notification from :QbankReview", function()
      return #messages > 0 or cancelled
    end)
  end)
  vim.ui.select, vim.notify = select, notify
  assert(ok, err)
  return prompts, states, messages
end

-- Every line of `after` is the line of `before`, but the marker under
-- `heading_row`, which starts with `marker`.
local function only_marker_changed(before, after, heading_row, marker, inserted)
  assert(#after == #before + (inserted and 1 or 0), ("%d lines, were %d"):format(#after, #before))
  local marker_row = heading_row + 1
  assert(after[marker_row]:find(marker, 1, true) == 1, ("line %d is %q"):format(marker_row, after[marker_row]))
  for index, line in ipairs(after) do
    if index ~= marker_row then
      local was = (inserted and index > marker_row) and before[index - 1] or before[index]
      assert(line == was, ("line %d changed: %q (was %q)"):format(index, line, tostring(was)))
    end
  end
end

check(":QbankReview opens the due question folded; Good lands in its marker", function()
  local before = vim.fn.readfile(review_note)
  local prompts, states, messages = review_with({ "Show answer", "Good" })
  assert(messages[1].message:find("qbank: BE-23 rated good", 1, true) == 1, vim.inspect(messages))
  assert(vim.deep_equal(prompts, { { "Show answer", "Skip" }, { "Again", "Hard", "Good", "Easy" } }),
    "prompts: " .. vim.inspect(prompts))
  local recall = states[1]
  assert(recall.bufnr == buffer_of(review_note), "the prompt came up over " .. vim.api.nvim_buf_get_name(recall.bufnr))
  assert(recall.row == 3 and recall.line == before[3], ("the cursor is on line %d: %q"):format(recall.row, recall.line))
  assert(recall.heading_fold == -1, "the heading is folded")
  assert(recall.answer_fold == 4 and (recall.answer_fold_end == 7 or recall.answer_fold_end == 8),
    ("the answer is not in a closed fold: %d to %d"):format(recall.answer_fold, recall.answer_fold_end))
  assert(states[2].answer_fold == -1, "the answer is still folded once shown")
  local bufnr = buffer_of(review_note)
  only_marker_changed(before, vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), 3, marker_of("good"))
end)

check(":QbankReview after edits rates the right section (real buffer number, changes flushed)", function()
  local bufnr = assert(buffer_of(review_note), "review.md is not loaded")
  vim.api.nvim_set_current_buf(bufnr)
  -- Once the server has BE-23's rating in its notes index, the edits
  -- below leave its next answer a line or two behind the buffer.
  wait_for("the server to name BE-61 next", function()
    local due = request("workspace/executeCommand", { command = "qbank.nextDue", arguments = {} })
    return type(due) == "table" and due.key == "BE-61"
  end)
  -- Edits just before the command, and while the student recalls: they
  -- reach the server before what follows them. Neovim sends a change at
  -- once after a quiet spell and holds the next ones back a moment, so
  -- each time the second edit is pending until a request flushes it.
  local heading = find_line("## BE-61")
  vim.api.nvim_buf_set_lines(bufnr, heading - 1, heading - 1, false, { "Added just before the review." })
  vim.api.nvim_buf_set_text(bufnr, heading - 1, 0, heading - 1, 0, { "(1) " })
  local prompts, states, messages = review_with({ "Show answer", "Easy" }, function(prompt)
    if prompt == 1 then
      vim.api.nvim_buf_set_lines(bufnr, 1, 1, false, { "Added while recalling." })
      vim.api.nvim_buf_set_text(bufnr, 1, 0, 1, 0, { "(2) " })
    end
  end)
  assert(messages[1].message:find("qbank: BE-61 rated easy", 1, true) == 1, vim.inspect(messages))
  assert(#prompts == 2, "prompts: " .. vim.inspect(prompts))
  assert(states[1].row == heading + 1 and states[1].line:find("## BE-61", 1, true) == 1,
    ("the cursor was on line %d: %q"):format(states[1].row, states[1].line))
  assert(states[1].answer_fold == heading + 2, "the answer was not folded: " .. vim.inspect(states[1]))
  local after = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  assert(after[2] == "(2) Added while recalling." and after[heading + 1] == "(1) Added just before the review.",
    "the edits are gone: " .. vim.inspect(after))
  local before = vim.fn.readfile(review_note)
  table.insert(before, heading, "(1) Added just before the review.")
  table.insert(before, 2, "(2) Added while recalling.")
  -- BE-23's marker was rewritten by the test before.
  before[5] = after[5]
  only_marker_changed(before, after, heading + 2, marker_of("easy"))
end)

check(":QbankReview with nothing due says so", function()
  local prompts, _, messages = review_with({})
  assert(#prompts == 0, "prompts: " .. vim.inspect(prompts))
  assert(#messages == 1, vim.inspect(messages))
  assert(messages[1].message == "qbank: Nothing due for review today", messages[1].message)
  assert(messages[1].level == vim.log.levels.INFO, "level " .. tostring(messages[1].level))
end)

check("the Good lens of a section never reviewed rates it through the server", function()
  vim.cmd.edit(vim.fn.fnameescape(lens_note))
  local bufnr = vim.api.nvim_get_current_buf()
  local before = lines()
  local heading = find_line("## BE-1 ")
  local function titles()
    local found = {}
    for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
      if lens.range.start.line == heading - 1 and lens.command then
        table.insert(found, lens.command.title)
      end
    end
    return found
  end
  -- The plugin asks for lenses when the server attaches.
  wait_for("the review lenses over BE-1", function()
    return vim.tbl_contains(titles(), "Good")
  end)
  assert(vim.tbl_contains(titles(), "New"), "lenses: " .. vim.inspect(titles()))
  local select, notify = vim.ui.select, vim.notify
  local offered, messages = nil, {}
  vim.ui.select = function(items, opts, on_choice)
    offered = vim.tbl_map(opts.format_item, items)
    for index, item in ipairs(items) do
      if opts.format_item(item) == "Good" then
        return on_choice(item, index)
      end
    end
    on_choice(nil, nil)
  end
  vim.notify = function(message, level)
    table.insert(messages, { message = message, level = level })
  end
  local ok, err = pcall(function()
    vim.api.nvim_win_set_cursor(0, { heading, 0 })
    vim.lsp.codelens.run()
    wait_for("the marker under BE-1", function()
      return (lines()[heading + 1] or ""):find(marker_of("good"), 1, true) == 1
    end)
    -- The lenses are asked for again after the rating.
    local ok_lens = vim.wait(TIMEOUT, function()
      for _, title in ipairs(titles()) do
        if title:find("^Next review ") then
          return true
        end
      end
      return false
    end, 20)
    assert(ok_lens, "timed out waiting for the lens saying when BE-1 comes back; lenses: " .. vim.inspect(titles()))
    assert(not vim.tbl_contains(titles(), "Good"), "the rating lenses stay: " .. vim.inspect(titles()))
  end)
  vim.ui.select, vim.notify = select, notify
  assert(ok, err)
  assert(vim.deep_equal(offered, { "Again", "Hard", "Good", "Easy" }), "offered: " .. vim.inspect(offered))
  only_marker_changed(before, lines(), heading, marker_of("good"), true)
  assert(messages[1] and messages[1].message:find("qbank: BE-1 rated good", 1, true) == 1, vim.inspect(messages))
end)

-- ------------------------------------------------- checkhealth, no name

check(":checkhealth qbank with a server that gives no name", function()
  local client = assert(require("qbank").client(0), "no client")
  local server_info = client.server_info
  client.server_info = { version = "1.0" }
  local ok, err = pcall(vim.cmd, "silent checkhealth qbank")
  client.server_info = server_info
  assert(ok, err)
  local report = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  vim.cmd("bwipeout!")
  assert(not report:find("ERROR", 1, true), "an error in the report:\n" .. report)
  assert(report:find(("OK server attached: client %d (? 1.0)"):format(client.id), 1, true), "the report:\n" .. report)
  assert(report:find("reviews: :QbankReview", 1, true), "the report:\n" .. report)
end)

-- ------------------------------------------------- edit, then a command

-- Runs `fn(messages)` with vim.notify recorded in `messages`; returns them.
local function notifications_of(fn)
  local messages, notify = {}, vim.notify
  vim.notify = function(message, level)
    table.insert(messages, { message = message, level = level or vim.log.levels.INFO })
  end
  local ok, err = pcall(fn, messages)
  vim.notify = notify
  assert(ok, err)
  return messages
end

-- Two edits, the second one pending when the command runs: Neovim sends a
-- change at once after a quiet spell and holds the next ones back a moment.
local function edit_twice(bufnr, first, second)
  vim.api.nvim_buf_set_lines(bufnr, -1, -1, false, first)
  vim.api.nvim_buf_set_lines(bufnr, -1, -1, false, second)
end

local edit_note = workspace .. "/edits.md"
vim.fn.writefile({ "# Edits", "" }, edit_note)

check(":QbankPacket right after an edit lands after the edit, which is kept", function()
  vim.cmd.edit(vim.fn.fnameescape(edit_note))
  local bufnr = vim.api.nvim_get_current_buf()
  wait_for("the qbank client", function()
    local client = require("qbank").client(bufnr)
    return client ~= nil and client.initialized
  end)
  vim.wait(300) -- a quiet spell: the first edit is sent at once
  local done
  local messages = notifications_of(function()
    edit_twice(bufnr, { "First edit." }, { "Second edit.", "", "", "" })
    -- The cursor on a line that exists only after the second edit.
    vim.api.nvim_win_set_cursor(0, { #lines(), 0 })
    require("qbank").insert_packet(3, { on_done = function(err) done = err or true end })
    wait_for("the packet", function() return done ~= nil end)
  end)
  assert(done == true, "the command failed: " .. vim.inspect(done) .. " " .. vim.inspect(messages))
  wait_for("the packet's headings", function() return count_question_headings(lines()) == 3 end)
  local after = lines()
  assert(after[3] == "First edit." and after[4] == "Second edit.", "the edits are gone: " .. vim.inspect(after))
  local first_heading = find_line(" · ")
  assert(first_heading > 4, "the packet landed before the edit: " .. vim.inspect(after))
  vim.cmd("silent write")
end)

check(":QbankSearch right after an edit inserts on the edited line", function()
  local bufnr = vim.api.nvim_get_current_buf()
  local select = vim.ui.select
  local chosen
  vim.ui.select = function(items, _, on_choice)
    chosen = items[1].key
    on_choice(items[1], 1)
  end
  local ok, err = pcall(function()
    vim.wait(300)
    edit_twice(bufnr, { "Third edit." }, { "Ask about " })
    vim.api.nvim_win_set_cursor(0, { #lines(), #"Ask about " - 1 })
    vim.cmd("QbankSearch caching")
    wait_for("the search", function() return chosen ~= nil end)
  end)
  vim.ui.select = select
  assert(ok, err)
  local after = lines()
  assert(after[#after - 1] == "Third edit.", "the edit is gone: " .. vim.inspect(after))
  assert(after[#after] == "Ask about " .. chosen, "last line: " .. after[#after])
  vim.cmd("silent write")
end)

-- ---------------------------------------- :QbankSearch and multibyte text

check(":QbankSearch inserts after the character under the cursor, never inside it", function()
  local bufnr = vim.api.nvim_get_current_buf()
  local select = vim.ui.select
  vim.ui.select = function(items, _, on_choice)
    on_choice(items[1], 1)
  end
  -- { line, the cursor's character, what follows it }
  local cases = {
    { "Read about café", "é", "" },
    { "🙂 then", "🙂", " then" },
    { "Cafe\204\129 next", "e\204\129", " next" }, -- e and a combining acute accent
  }
  local results = {}
  local ok, err = pcall(function()
    for _, case in ipairs(cases) do
      local line, character, rest = case[1], case[2], case[3]
      vim.api.nvim_buf_set_lines(bufnr, -1, -1, false, { line })
      local column = assert(line:find(character, 1, true)) - 1
      vim.api.nvim_win_set_cursor(0, { #lines(), column })
      local inserted
      require("qbank").search("caching", { on_done = function(text) inserted = text or false end })
      wait_for("the search", function() return inserted ~= nil end)
      assert(inserted, "nothing inserted")
      local expected = line:sub(1, column) .. character .. inserted .. rest
      table.insert(results, { got = lines()[#lines()], expected = expected })
    end
  end)
  vim.ui.select = select
  assert(ok, err)
  -- Bytes past ASCII as \ddd: a split character would make the log binary.
  local function escaped(text)
    return (text:gsub("[\128-\255]", function(byte)
      return ("\\%d"):format(byte:byte())
    end))
  end
  for _, result in ipairs(results) do
    assert(result.got == result.expected, ("%s, expected %s"):format(escaped(result.got), escaped(result.expected)))
  end
  vim.cmd("silent write")
end)

-- ---------------------------------------------------------- random seeds

check("two fresh Neovims draw different packets", function()
  local script = workspace .. "/seed_child.lua"
  vim.fn.writefile({
    'vim.cmd.edit(vim.fn.fnameescape(os.getenv("QBANK_SEED_NOTE")))',
    'local attached = vim.wait(10000, function()',
    '  local client = require("qbank").client(0)',
    '  return client ~= nil and client.initialized',
    'end, 20)',
    'if attached then',
    '  vim.api.nvim_win_set_cursor(0, { vim.api.nvim_buf_line_count(0), 0 })',
    '  vim.cmd("QbankPacket 5")',
    '  vim.wait(10000, function() return vim.api.nvim_buf_line_count(0) > 10 end, 20)',
    '  vim.cmd("silent write")',
    'end',
    'for _, client in ipairs(vim.lsp.get_clients()) do client:stop() end',
    'vim.wait(2000, function() return #vim.lsp.get_clients() == 0 end, 50)',
    'vim.cmd("qall!")',
  }, script)
  local runs = {}
  for index = 1, 2 do
    local folder = ("%s/seed-%d"):format(workspace, index)
    vim.fn.mkdir(folder, "p")
    vim.fn.writefile({ "# Seed", "" }, folder .. "/note.md")
    runs[index] = {
      note = folder .. "/note.md",
      process = vim.system({ vim.v.progpath, "--headless", "-i", "NONE", "-c", "luafile " .. script },
        { env = { QBANK_SEED_NOTE = folder .. "/note.md" }, text = true }),
    }
  end
  local packets = {}
  for index, run in ipairs(runs) do
    local result = run.process:wait(30000)
    assert(result.code == 0, ("Neovim %d exited with %s: %s"):format(index, tostring(result.code), result.stderr or ""))
    local keys = {}
    for _, line in ipairs(vim.fn.readfile(run.note)) do
      table.insert(keys, line:match("^#+ (%u[%u%d]*%-%d+) · "))
    end
    assert(#keys == 5, ("Neovim %d inserted %d questions"):format(index, #keys))
    packets[index] = table.concat(keys, " ")
  end
  assert(packets[1] ~= packets[2], "both drew " .. packets[1])
end)

-- ------------------------------------------------------------ root markers

check("a repository nested in a qbank folder is its own root", function()
  local repository = workspace .. "/nested/repository"
  vim.fn.mkdir(repository .. "/.git", "p")
  vim.fn.mkdir(repository .. "/notes", "p")
  local nested_note = repository .. "/notes/nested.md"
  vim.fn.writefile({ "# Nested", "", "BE-23 again." }, nested_note)
  vim.cmd.edit(vim.fn.fnameescape(nested_note))
  wait_for("the qbank client of the nested note", function()
    local client = require("qbank").client(0)
    return client ~= nil and client.initialized
  end)
  local client = require("qbank").client(0)
  local root = client.root_dir or client.config.root_dir
  assert(vim.uv.fs_realpath(root) == vim.uv.fs_realpath(repository), "root_dir is " .. tostring(root))
  local result = request("textDocument/hover", position_params(3, 1))
  local text = result and result.contents and (result.contents.value or vim.inspect(result.contents)) or ""
  assert(text:find(ACID, 1, true), "no hover from the nested root's server: " .. text)
end)

-- ------------------------------------------------------------------ scores

-- What `qbank scores ARGS` prints, run from the workspace.
local function cli_scores(args)
  local result = vim.system(vim.list_extend({ "qbank", "scores" }, args), { cwd = workspace, text = true }):wait(10000)
  assert(result.code == 0, "qbank scores failed: " .. (result.stderr or ""))
  return vim.trim(result.stdout)
end

-- Runs `:QbankScores ARGS`; returns the scratch buffer's text and buffer.
local function scores_with(args)
  local bufnr
  local messages = notifications_of(function(messages)
    local before = vim.api.nvim_get_current_buf()
    vim.cmd("QbankScores " .. args)
    wait_for("the scores split", function()
      local current = vim.api.nvim_get_current_buf()
      if current ~= before and vim.b[current].qbank_scores then
        bufnr = current
      end
      return bufnr ~= nil or #messages > 0
    end)
  end)
  assert(#messages == 0, ":QbankScores " .. args .. ": " .. vim.inspect(messages))
  local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")
  return vim.trim(text), bufnr
end

check(":QbankScores shows the note's folder (one candidate) in a read-only split", function()
  vim.cmd.edit(vim.fn.fnameescape(alice_round_1))
  local note_window = vim.api.nvim_get_current_win()
  wait_for("the qbank client", function()
    local client = require("qbank").client(0)
    return client ~= nil and client.initialized
  end)
  local text, bufnr = scores_with("")
  assert(vim.api.nvim_get_current_win() ~= note_window, "no split")
  assert(text == cli_scores({ "candidates/alice" }), "scores:\n" .. text .. "\nqbank scores candidates/alice:\n"
    .. cli_scores({ "candidates/alice" }))
  assert(text:find("candidates/alice: 2 notes · 3 questions · 3 scored · mean 3.0 / 4", 1, true), text)
  assert(not text:find("candidates/bob", 1, true), text)
  assert(vim.bo[bufnr].filetype == "qbank-scores", "filetype " .. vim.bo[bufnr].filetype)
  assert(not vim.bo[bufnr].modifiable and vim.bo[bufnr].buftype == "nofile", "the split is editable")
  vim.cmd("close")
end)

check(":QbankScores all and :QbankScores by-question", function()
  local all = scores_with("all")
  assert(all == cli_scores({}), "all:\n" .. all .. "\nqbank scores:\n" .. cli_scores({}))
  assert(all:find("candidates/alice: 2 notes", 1, true) and all:find("candidates/bob: 1 note", 1, true), all)
  vim.cmd("close")
  local by_question = scores_with("by-question")
  assert(by_question == cli_scores({ "--by-question" }),
    "by-question:\n" .. by_question .. "\nqbank scores --by-question:\n" .. cli_scores({ "--by-question" }))
  assert(by_question:find("\nBE%-23 +2 +2 +2%.0 +1%.0 +1–3 +" .. vim.pesc(ACID)), by_question)
  vim.cmd("close")
end)

check(":QbankScores right after an edit rolls up the edited score", function()
  vim.cmd.edit(vim.fn.fnameescape(alice_round_2))
  local bufnr = vim.api.nvim_get_current_buf()
  wait_for("the qbank client", function()
    local client = require("qbank").client(bufnr)
    return client ~= nil and client.initialized
  end)
  vim.wait(300)
  local score = find_line("**Score:** 4")
  vim.api.nvim_buf_set_lines(bufnr, -1, -1, false, { "Notes: quick." })
  vim.api.nvim_buf_set_text(bufnr, score - 1, #"**Score:** ", score - 1, #"**Score:** 4", { "2" })
  local text = scores_with("")
  assert(text:find("round-2.md:3 rubrics under no packet heading: 1 question · 1 scored · mean 2.0 / 4", 1, true),
    "the edit did not reach the server first:\n" .. text)
  assert(text:find("candidates/alice: 2 notes · 3 questions · 3 scored · mean 2.3 / 4", 1, true), text)
  vim.cmd("close")
  assert(vim.api.nvim_buf_get_lines(bufnr, score - 1, score, false)[1] == "**Score:** 2", "the edit is gone")
end)

finish()
