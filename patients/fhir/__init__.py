"""FHIR R4 bundle import: the codes (mapping), reading (bundle), translating (extract), writing (importer).

extract finds each patient's resources and hands them to one reader per kind (patient,
conditions, observations, treatments), which share datatypes and produce the plain data in
imported. importer writes it; ownership decides what a re-import may change.

docs/fhir-mapping.md describes the mapping as implemented; ../shared/clinical/codes.md is the contract.
"""
