"""The benchmark harness: tasks, metrics, search backends, runner, results, leaderboard."""
