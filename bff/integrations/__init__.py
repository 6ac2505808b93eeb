"""Upstream adapters: mall, MRO and WeBank, each mapped into `bff.domain.records`."""
