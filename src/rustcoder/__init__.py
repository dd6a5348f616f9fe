"""rustcoder: evaluate, improve and serve small local language models that write Rust."""

__version__ = "0.1.0"
