"""MiniLM behind LitServe's OpenAI embedding spec: a server not written here, for tests/test_serve.py.

python tests/litserve_minilm.py PORT
"""

from __future__ import annotations

import sys

import litserve as ls


class MiniLM(ls.LitAPI):
    """The offline all-MiniLM-L6-v2 folder in sentence-transformers; LitServe does the HTTP and the protocol."""

    def setup(self, device: str) -> None:
        from sentence_transformers import SentenceTransformer

        from zoo.encoders.builtin import packaged_minilm_folder

        self.model = SentenceTransformer(str(packaged_minilm_folder()), device="cpu")

    def predict(self, texts: str | list[str]) -> list[list[float]]:
        batch = [texts] if isinstance(texts, str) else list(texts)
        return self.model.encode(batch, batch_size=64, convert_to_numpy=True).tolist()


if __name__ == "__main__":
    server = ls.LitServer(MiniLM(spec=ls.OpenAIEmbeddingSpec()), accelerator="cpu", workers_per_device=1)
    server.run(host="127.0.0.1", port=int(sys.argv[1]), generate_client_file=False, log_level="warning")
