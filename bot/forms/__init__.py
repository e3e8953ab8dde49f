"""Report forms the street office files on paper (附件5, 附件6), written as .xlsx."""
