"""Beyond one dense ranking: fusion of two runs, reranking a first stage, and the stages they are built from."""
