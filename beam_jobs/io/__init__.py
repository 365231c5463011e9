"""Beam-side reading and writing: matching inputs, expanding shards and tables, writing record shards."""
