"""FHIR R4 bundle import: the codes (mapping), reading (bundle), translating (extract), writing (importer).

docs/fhir-mapping.md describes the mapping as implemented; ../shared/clinical/codes.md is the contract.
"""
