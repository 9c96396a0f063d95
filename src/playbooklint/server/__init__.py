"""The editor server (``playbooklint server``): the Language Server Protocol over stdio, built on
pygls (``pip install 'playbooklint[server]'``). ``project`` keeps the docsets and open documents,
``edits`` turns findings, fixes and link targets into LSP messages, ``lsp`` is the server."""
