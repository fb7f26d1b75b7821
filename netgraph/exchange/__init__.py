"""Exchange between agencies: signed case packages (export, verify, import, audit log), their keys, and the
same case as GraphML, GEXF and i2 Analyst's Notebook entity/link CSVs.

>>> from netgraph.exchange import export_package, import_package, new_keys   # doctest: +SKIP
"""
from .interchange import write_interchange
from .keys import KeyFileError, KeyPair, new_keys
from .package import (
    CasePackage,
    ImportReport,
    PackageError,
    PackageRefused,
    export_package,
    import_package,
    package_log,
    verify_package,
)

__all__ = ["CasePackage", "ImportReport", "KeyFileError", "KeyPair", "PackageError", "PackageRefused",
           "export_package", "import_package", "new_keys", "package_log", "verify_package", "write_interchange"]
