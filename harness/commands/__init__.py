"""The harness's commands, added to ``zoo`` through the ``register_commands`` hook (harness.plugin)."""
