# Reference results of R's MatchIt for finsam.evaluation.match.
#
# Generated with R 4.2.2, sandwich 3.0-2 and lmtest 0.9-40 (Debian
# bookworm packages r-base-core, r-cran-sandwich, r-cran-lmtest) and
# MatchIt 4.5.2.9000 (kosukeimai/MatchIt at 2942f9a, which fixed the
# ratio > 1 bugs of 4.5.1 (#159)) with the `std::abs` fix of MatchIt 4.5.3
# (#163) applied to src/nn_matchC_vec.cpp. Debian's r-cran-matchit 4.5.1
# cannot serve: built with this compiler its nearest-neighbour search
# calls the integer `abs`, so every distance below 1 compares as 0, the
# control on the left always wins and calipers are ignored; and with
# `replace = TRUE, ratio > 1` it matches one control several times to the
# same treated unit.
#
# R is not available in CI: the CSV files this script writes are
# committed and are the reference test_evaluation_matching.py compares
# finsam with. To regenerate (with that MatchIt on R_LIBS):
#
#   Rscript finsam-py/tests/reference/matchit.R
#
# Outputs (next to this script), one block per configuration `config`:
#   matchit_rows.csv     distance, weights and subclass of every row
#   matchit_balance.csv  summary(m)$sum.all and $sum.matched
#   matchit_counts.csv   summary(m)$nn
#   matchit_effects.csv  lm(y ~ treat [+ covariates], weights) on the
#                        matched data, vcovCL clustered by subclass (by
#                        unit when matching with replacement), coeftest
#                        and coefci at level 0.95
suppressPackageStartupMessages({
  library(MatchIt)
  library(sandwich)
  library(lmtest)
})

here <- tryCatch(dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))),
                 error = function(e) ".")
data <- read.csv(file.path(here, "matching_data.csv"), stringsAsFactors = TRUE)

f <- treat ~ alder + kon + utbildning + dagar_fore + forsorjning
configs <- list(
  nearest = list(),
  ratio2 = list(ratio = 2),
  replace = list(replace = TRUE),
  caliper = list(caliper = 0.2),
  exact = list(exact = ~utbildning),
  smallest = list(m.order = "smallest"),
  data_order = list(m.order = "data"),
  linear_logit = list(link = "linear.logit"),
  ratio3_replace_caliper = list(ratio = 3, replace = TRUE, caliper = 0.1),
  exact_caliper_ratio2 = list(exact = ~kon, caliper = 0.25, ratio = 2, m.order = "smallest"),
  cem = list(method = "cem")
)

num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
rows <- list(); balance <- list(); counts <- list(); effects <- list()

for (name in names(configs)) {
  m <- do.call(matchit, c(list(formula = f, data = data), configs[[name]]))
  distance <- if (is.null(m$distance)) rep(NA_real_, nrow(data)) else m$distance
  subclass <- if (is.null(m$subclass)) rep(NA_integer_, nrow(data)) else as.integer(as.character(m$subclass))
  rows[[name]] <- data.frame(config = name, id = data$id, distance = num(distance),
                             weights = num(m$weights), subclass = ifelse(is.na(subclass), "NA", subclass))

  s <- summary(m)
  for (stage in c("all", "matched")) {
    t <- if (stage == "all") s$sum.all else s$sum.matched
    balance[[paste(name, stage)]] <- data.frame(
      config = name, stage = stage, variable = rownames(t),
      means_treated = num(t[, "Means Treated"]), means_control = num(t[, "Means Control"]),
      smd = num(t[, "Std. Mean Diff."]), variance_ratio = num(t[, "Var. Ratio"]),
      ecdf_mean = num(t[, "eCDF Mean"]), ecdf_max = num(t[, "eCDF Max"]),
      pair_distance = num(t[, "Std. Pair Dist."]))
  }
  nn <- s$nn
  counts[[name]] <- data.frame(config = name, what = rownames(nn),
                               control = num(nn[, "Control"]), treated = num(nn[, "Treated"]))

  md <- match.data(m)
  replace <- isTRUE(configs[[name]]$replace)
  cluster <- if (replace) ~id else ~subclass
  for (adjusted in c(FALSE, TRUE)) {
    form <- if (adjusted) y ~ treat + alder + kon + utbildning + dagar_fore + forsorjning else y ~ treat
    fit <- lm(form, data = md, weights = weights)
    v <- vcovCL(fit, cluster = cluster)
    ct <- coeftest(fit, vcov. = v)
    ci <- coefci(fit, vcov. = v, level = 0.95)
    effects[[paste(name, adjusted)]] <- data.frame(
      config = name, covariates = adjusted,
      estimate = num(ct["treat", "Estimate"]), se = num(ct["treat", "Std. Error"]),
      lo = num(ci["treat", 1]), hi = num(ci["treat", 2]), df = fit$df.residual,
      clusters = length(unique(if (replace) md$id else md$subclass)))
  }
}

write.csv(do.call(rbind, rows), file.path(here, "matchit_rows.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, balance), file.path(here, "matchit_balance.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, counts), file.path(here, "matchit_counts.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, effects), file.path(here, "matchit_effects.csv"), row.names = FALSE, quote = FALSE)
cat(sprintf("R %s, MatchIt %s, sandwich %s, lmtest %s\n", getRversion(), packageVersion("MatchIt"),
            packageVersion("sandwich"), packageVersion("lmtest")))
