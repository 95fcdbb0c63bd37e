"""The office dashboard's data: results kept at push time (results) and the figures every page,
export and bulletin reads (figures)."""
