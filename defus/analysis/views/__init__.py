"""Analysis in the back office, under /o/<org>/analysis/: dashboard, exports, report."""
