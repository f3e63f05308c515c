// Package lsp is rofix's language server: `rofix lsp` speaks the Language
// Server Protocol on stdin and stdout, so that editors show rofix's
// findings as diagnostics while a compose file or shell script is edited,
// offer its fixes as code actions, and format on save.
//
// It serves initialize (the position encoding is negotiated: UTF-8 when the
// client offers it, else UTF-16), full-text synchronisation (didOpen,
// didChange, didClose), publishDiagnostics (one per finding), codeAction
// (a quick fix per fixed finding, and source.fixAll.rofix) and formatting
// (edits that give exactly what `rofix --stdin-filename` writes). Every
// range comes from the byte offsets of rewrite.Result, converted exactly.
//
// The protocol is implemented here with encoding/json: the package opens
// no connection and runs no program.
package lsp
