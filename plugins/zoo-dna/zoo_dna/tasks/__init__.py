"""The DNA tasks over the shipped 16S rRNA genes: genus clustering, few-shot genus classification, read alignment."""
