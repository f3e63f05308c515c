-- Drives headless Neovim as rofix's LSP client (nvim_test.go runs it):
-- attaches `$ROFIX lsp` to the buffer, waits for diagnostics, writes them
-- to $ROFIX_DIAGS, then formats the buffer (or, with ROFIX_MODE=fixall,
-- applies the source.fixAll.rofix code action) and writes it to $ROFIX_OUT.
-- Works with Neovim 0.7 (Debian 12) and later.
local function fail(msg)
  io.stderr:write('nvim.lua: ' .. msg .. '\n')
  vim.cmd('cquit! 3')
end

local buf = vim.api.nvim_get_current_buf()
local config = {
  name = 'rofix',
  cmd = { os.getenv('ROFIX'), 'lsp' },
  root_dir = vim.fn.getcwd(),
}
local id
if vim.lsp.start then
  id = vim.lsp.start(config)
else
  id = vim.lsp.start_client(config)
  vim.lsp.buf_attach_client(buf, id)
end
if not id then fail('the client did not start') end

local ok = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
if not ok then fail('no diagnostics within 20s') end
local client = vim.lsp.get_client_by_id(id)

-- Neovim converts the server's columns to byte columns with the
-- negotiated encoding: line:col:end_line:end_col in bytes, 0-based.
local lines = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(lines, string.format('%d:%d:%d:%d:%s:%d', d.lnum, d.col, d.end_lnum, d.end_col, d.code or '', d.severity))
end
table.sort(lines)
vim.fn.writefile(lines, os.getenv('ROFIX_DIAGS'))

if os.getenv('ROFIX_MODE') == 'fixall' then
  local params = vim.lsp.util.make_range_params()
  params.context = { diagnostics = {}, only = { 'source.fixAll' } }
  local resp = client.request_sync('textDocument/codeAction', params, 20000, buf)
  if not resp or resp.err or not resp.result or #resp.result ~= 1 then
    fail('codeAction: ' .. vim.inspect(resp))
  end
  vim.lsp.util.apply_workspace_edit(resp.result[1].edit, client.offset_encoding)
elseif vim.lsp.buf.format then
  vim.lsp.buf.format({ bufnr = buf, timeout_ms = 20000 })
else
  vim.lsp.buf.formatting_sync(nil, 20000)
end
vim.cmd('write! ' .. vim.fn.fnameescape(os.getenv('ROFIX_OUT')))
vim.lsp.stop_client(id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(id) == nil end, 20)
vim.cmd('qall!')
