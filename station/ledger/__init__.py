"""Import of existing Excel ledgers (台账) and export of any list to XLSX. Qt-free."""
