"""The HTTP server: a FastAPI app factory, one router per API (llama.cpp's /infill, OpenAI's, health and
metrics), settings from pydantic-settings. Routers parse a client's request into a
`completion.CompletionRequest`, the engine answers it, and the router renders the client's wire format.
"""
