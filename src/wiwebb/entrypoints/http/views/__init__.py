"""Thin views: parse with a schema, call one domain service, dump the result."""
