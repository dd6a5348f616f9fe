"""The completion engine: context, FIM prompt, cancellation, cache, tree-sitter cuts; no HTTP.

A keystroke's request is parsed by a router (rustcoder.serve) into a `CompletionRequest`, answered by
`CompletionEngine.complete`, and rendered back into the client's wire format.
"""
