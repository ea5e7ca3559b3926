"""Interoperation with the mteb package: its tasks as ours, our encoders as its models, results both ways.

Nothing here imports mteb at module import time; each function imports it when it runs.
"""
