# Reference results of R's survey package for the DEFUS weighting and estimation.
# Usage: Rscript compare.R [DIR] [OUTPUT]   (DIR holds data.csv and the margins; default: here)
# The design: stratified by district, one stage, weights = population / drawn sample per
# district, raked to gender × age group and district. Shares and means leave out "don't know"
# (9), "don't go there" (8) and missing answers (< 0), as defus.analysis does.
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "."
out <- if (length(args) >= 2) args[2] else file.path(dir, "reference.csv")

d <- read.csv(file.path(dir, "data.csv"), stringsAsFactors = FALSE)
d$row <- seq_len(nrow(d))
d$district <- factor(d$district)
d$gender_age <- factor(d$gender_age)
substantive <- function(y) ifelse(y >= 1 & y <= 5, y, NA)
d$y1_safe <- as.numeric(substantive(d$y1) %in% c(1, 2)); d$y1_safe[is.na(substantive(d$y1))] <- NA
d$y1_mean <- substantive(d$y1)
d$y2_yes <- ifelse(d$y2 %in% c(1, 2), as.numeric(d$y2 == 1), NA)
d$y3_safe <- as.numeric(substantive(d$y3) %in% c(1, 2)); d$y3_safe[is.na(substantive(d$y3))] <- NA

m_ga <- read.csv(file.path(dir, "margins_gender_age.csv"), stringsAsFactors = FALSE)
m_d <- read.csv(file.path(dir, "margins_district.csv"))
m_d$district <- factor(m_d$district)

design <- svydesign(ids = ~1, strata = ~district, weights = ~design_weight, data = d)
raked <- rake(design, list(~gender_age, ~district), list(m_ga, m_d),
              control = list(maxit = 100, epsilon = 1e-10))

rows <- data.frame(kind = "weight", variable = "", by = "", group = as.character(d$row),
                   estimate = unname(weights(raked)), se = NA, row.names = NULL)
for (v in c("y1_safe", "y1_mean", "y2_yes", "y3_safe")) {
  f <- as.formula(paste0("~", v))
  overall <- svymean(f, raked, na.rm = TRUE)
  rows <- rbind(rows, data.frame(kind = "estimate", variable = v, by = "", group = "",
                                 estimate = unname(coef(overall)), se = unname(SE(overall))))
  for (by in c("district", "gender")) {
    r <- svyby(f, as.formula(paste0("~", by)), raked, svymean, na.rm = TRUE)
    rows <- rbind(rows, data.frame(kind = "estimate", variable = v, by = by,
                                   group = as.character(r[[by]]),
                                   estimate = unname(coef(r)), se = unname(SE(r))))
  }
}
# A difference between two groups: its SE needs the covariance of the two domain estimates.
# (svyby(covmat = TRUE) does not take na.rm; a saturated regression gives the same contrast.)
d$gender_f <- factor(d$gender, levels = c("female", "male", "unknown"))
raked <- update(raked, gender_f = d$gender_f)
for (v in c("y1_safe", "y1_mean")) {
  fit <- svyglm(as.formula(paste0(v, " ~ gender_f")), raked)
  rows <- rbind(rows, data.frame(kind = "difference", variable = v, by = "gender",
                                 group = "male-female",
                                 estimate = unname(coef(fit)["gender_fmale"]),
                                 se = unname(SE(fit)["gender_fmale"])))
}
rows$estimate <- sprintf("%.17g", rows$estimate)
rows$se <- ifelse(is.na(rows$se), "", sprintf("%.17g", rows$se))
write.csv(rows, out, row.names = FALSE, quote = FALSE)
