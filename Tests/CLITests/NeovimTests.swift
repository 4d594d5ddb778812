import Foundation
import NetpolLintCore
import NetpolLintRules
import NetpolLintTestSupport
import Testing

/// `netpol-lint lsp` with a real client: Neovim's built-in LSP client, headless. A Lua script starts the server for
/// a file of a small repository (`vim.lsp.start` on Neovim 0.8 and later, `vim.lsp.start_client` and
/// `buf_attach_client` on 0.7, the version Debian 12 ships), waits for the diagnostics, asks for a hover, and writes
/// what Neovim received as JSON. Neovim converts the server's UTF-16 positions to byte columns itself, so the columns
/// it reports on a line with non-ASCII text check the server's position encoding from the client's side.
@Suite struct NeovimTests {
    static let script = """
        local server, root, file, out = os.getenv("NETPOL_LSP_SERVER"), os.getenv("NETPOL_LSP_ROOT"),
          os.getenv("NETPOL_LSP_FILE"), os.getenv("NETPOL_LSP_OUT")
        local result = { version = tostring(vim.version and vim.version().minor or "?") }
        local function finish()
          vim.fn.writefile({ vim.fn.json_encode(result) }, out)
          vim.cmd("qall!")
        end
        local ok, err = pcall(function()
          vim.cmd("edit " .. vim.fn.fnameescape(file))
          local buf = vim.api.nvim_get_current_buf()
          local config = { name = "netpol-lint", cmd = { server, "lsp", "--stdio" }, root_dir = root }
          local id
          if vim.lsp.start then
            id = vim.lsp.start(config)
          else
            id = vim.lsp.start_client(config)
            vim.lsp.buf_attach_client(buf, id)
          end
          result.attached = id ~= nil
          result.received = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
          result.diagnostics = {}
          for _, d in ipairs(vim.diagnostic.get(buf)) do
            local lsp = d.user_data and d.user_data.lsp or {}
            table.insert(result.diagnostics, {
              code = d.code or lsp.code, lnum = d.lnum, col = d.col, end_col = d.end_col,
              severity = d.severity, source = d.source or lsp.source, message = d.message,
            })
          end
          local np102
          for _, d in ipairs(result.diagnostics) do if d.code == "NP102" then np102 = d end end
          if np102 then
            local line = vim.api.nvim_buf_get_lines(buf, np102.lnum, np102.lnum + 1, false)[1]
            local _, utf16 = vim.str_utfindex(line, np102.col)  -- (UTF-32 index, UTF-16 index)
            local params = { textDocument = { uri = vim.uri_from_bufnr(buf) },
                             position = { line = np102.lnum, character = utf16 } }
            local answers = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 10000) or {}
            for _, a in pairs(answers) do
              if a.result and a.result.contents then result.hover = a.result.contents.value end
            end
          end
          vim.lsp.stop_client(id)
          vim.wait(5000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
        end)
        if not ok then result.error = tostring(err) end
        finish()
        """

    @Test func neovimReceivesTheDiagnostics() throws {
        guard let nvim = ExternalTools.require(ExternalTools.find("nvim"), for: "the Neovim LSP client test",
                                               needs: "nvim (Neovim 0.7 or later)") else { return }
        let server = try #require(TestSupport.executable)
        let dir = LanguageServerTests.repository()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let scriptPath = dir + "/client.lua", out = dir + "/received.json"
        try Self.script.write(toFile: scriptPath, atomically: false, encoding: .utf8)
        let run = ExternalTools.run(nvim, ["--headless", "--clean", "-c", "luafile \(scriptPath)"], environment: [
            "NETPOL_LSP_SERVER": server, "NETPOL_LSP_ROOT": dir, "NETPOL_LSP_FILE": dir + "/apps/api.yaml",
            "NETPOL_LSP_OUT": out,
        ], timeout: 90)
        #expect(!run.timedOut, "Neovim did not finish: \(run.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let received = try TestSupport.jsonObject(text)
        #expect(received["error"] == nil, "the Lua script failed: \(received["error"] ?? "")")
        #expect(received["attached"] as? Bool == true && received["received"] as? Bool == true, "\(text)")
        let diagnostics = try #require(received["diagnostics"] as? [[String: Any]])

        // Neovim's columns are bytes: "é😀" before `tcp` is 6 bytes, 3 UTF-16 units, 2 code points.
        let line = LanguageServerTests.api.components(separatedBy: "\n")[LanguageServerTests.protocolLine]
        let tcp = line.utf8.distance(from: line.startIndex, to: line.range(of: "tcp")!.lowerBound)
        let np102 = try #require(diagnostics.first { $0["code"] as? String == "NP102" }, "\(diagnostics)")
        #expect(np102["lnum"] as? Int == LanguageServerTests.protocolLine)
        #expect(np102["col"] as? Int == tcp && np102["end_col"] as? Int == tcp + 3, "\(np102)")
        #expect(np102["severity"] as? Int == 1)
        #expect(np102["source"] as? String == "netpol-lint")
        #expect(np102["message"] as? String == "protocol 'tcp' must be upper case: 'TCP'")
        let np210 = try #require(diagnostics.first { $0["code"] as? String == "NP210" }, "\(diagnostics)")
        #expect(np210["lnum"] as? Int == LanguageServerTests.egressLine)
        #expect(np210["severity"] as? Int == 2)
        #expect(diagnostics.allSatisfy { ($0["code"] as? String).map { $0.hasPrefix("NP") } == true })
        #expect(received["hover"] as? String == RuleDocumentation.page(InvalidValueRule.description))
    }
}
