"""Marshmallow schemas: request bodies in, answers out, in DRF's wire format."""
