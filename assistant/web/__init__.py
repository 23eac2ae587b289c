"""The web chat (gradio) and the HTTP API (FastAPI); both are thin layers over assistant.pipeline."""
