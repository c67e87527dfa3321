# R's survey on the benchmark data of run.py: the same design and estimates, timed in R.
# Usage: Rscript bench.R DATA.csv   (DATA.margins.csv beside it). Prints one JSON line.
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]
d <- read.csv(path)
margins <- read.csv(sub("\\.csv$", ".margins.csv", path))
d$district <- factor(d$district)
d$gender_age <- factor(d$gender_age)
m_d <- margins[margins$variable == "district", c("category", "Freq")]
names(m_d) <- c("district", "Freq")
m_d$district <- factor(m_d$district)
m_ga <- margins[margins$variable == "gender_age", c("category", "Freq")]
names(m_ga) <- c("gender_age", "Freq")
m_ga$gender_age <- factor(m_ga$gender_age)
items <- setdiff(names(d), c("district", "gender_age", "design_weight"))

started <- proc.time()[["elapsed"]]
design <- svydesign(ids = ~1, strata = ~district, weights = ~design_weight, data = d)
raked <- rake(design, list(~gender_age, ~district), list(m_ga, m_d),
              control = list(maxit = 100, epsilon = 1e-10))
sample <- list()
for (v in items) {
  f <- as.formula(paste0("~", v))
  overall <- svymean(f, raked, na.rm = TRUE)
  by <- svyby(f, ~district, raked, svymean, na.rm = TRUE)
  if (length(sample) < 3) {
    sample[[v]] <- list(c(unname(coef(overall)), unname(SE(overall))),
                        c(unname(coef(by))[1], unname(SE(by))[1]))
  }
}
seconds <- proc.time()[["elapsed"]] - started
pairs <- sapply(names(sample), function(v) {
  rows <- sapply(sample[[v]], function(p) sprintf("[%.17g, %.17g]", p[1], p[2]))
  sprintf("\"%s\": [%s]", v, paste(rows, collapse = ", "))
})
cat(sprintf("{\"seconds\": %.3f, \"sample\": {%s}}\n", seconds, paste(pairs, collapse = ", ")))
