# Reference outputs of the R package surveillance for cbrnet's detection methods.
#
# Usage (from the repository root, with r-base-core and r-cran-surveillance installed):
#   python -m cbrnet.surveillance.detection.reference.make_datasets \
#       cbrnet/surveillance/tests/fixtures/detection/synthetic_input.csv.gz
#   Rscript cbrnet/surveillance/detection/reference/make_reference.R \
#       cbrnet/surveillance/tests/fixtures/detection [METHOD ...]
#
# (about 10 minutes on one core, nearly all of it farringtonFlexible and algo.farrington).
#
# It writes, into the fixture directory:
#   package_input.csv.gz          every weekly series shipped with the package (series,date,count)
#   r_<set>_<method>.csv.gz       R's judgement of <set> (synthetic, package) by <method>, in the
#                                 CSV contract of cbrnet's `detect` command
#   manifest.json                 versions and the number of evaluated weeks
#
# Every method runs with exactly the settings of SURVEILLANCE.md, on the index time axis (plain
# `sts` objects, 52 weeks a year), one series at a time (the package gives the same results for a
# multivariate sts, quirk F11). The cbrnet output conventions are applied here:
#   * weeks a method cannot judge (too little history, no convergence, NaN, an R error): empty
#     threshold and empty alarm;
#   * limit54-suppressed Farrington weeks: empty threshold, alarm 0 (algo.farrington's placeholder
#     upperbound 0 is turned into an empty threshold);
#   * a week whose alarm is NA has no threshold either (algo.cusum substitutes 0 for NaN);
#   * thresholds printed with 15 significant digits.

suppressPackageStartupMessages(library(surveillance))

args <- commandArgs(trailingOnly = TRUE)
fixture_dir <- if (length(args) >= 1) args[1] else "cbrnet/surveillance/tests/fixtures/detection"
WEEKS <- 104  # evaluated weeks per series: two years, so the Farrington history boundary is crossed
METHODS <- c("ears_c1", "ears_c2", "ears_c3", "farrington", "farrington_flexible", "cusum")
# Optional further arguments name the methods to (re)compute; the default is all of them.
RUN <- if (length(args) >= 2) args[-1] else METHODS
stopifnot(all(RUN %in% METHODS))

# ---------------------------------------------------------------------------------------------
# The package's weekly data sets, each column a series, written in the input CSV contract.

iso_week_monday <- function(year, week) {
  jan4 <- as.Date(sprintf("%d-01-04", year))
  jan4 - ((as.integer(format(jan4, "%u")) - 1)) + 7 * (week - 1)
}

clean_name <- function(x) gsub("[^A-Za-z0-9._-]", "_", x)

package_series <- function() {
  out <- list()
  add <- function(name, y, first_monday) {
    stopifnot(!anyNA(y), all(y >= 0), all(y == round(y)))
    out[[length(out) + 1]] <<- data.frame(
      series = clean_name(name),
      date = format(first_monday + 7 * (seq_along(y) - 1)),
      count = as.integer(y)
    )
  }
  add_matrix <- function(set, observed, start) {
    observed <- as.matrix(observed)
    first <- iso_week_monday(start[1], start[2])
    names <- colnames(observed)
    for (j in seq_len(ncol(observed))) {
      label <- if (ncol(observed) == 1) set else paste0(set, ".", if (is.null(names)) j else names[j])
      add(label, observed[, j], first)
    }
  }
  sts_sets <- c("abattoir", "fluBYBW", "ha.sts", "measlesDE", "measlesWeserEms", "momo",
                "salmAllOnset", "salmHospitalized", "salmNewport", "stsNewport")
  disprog_sets <- c("h1_nrwrp", "hepatitisA", "influMen", "k1", "m1", "m2", "m3", "m4", "m5",
                    "n1", "n2", "q1_nrwh", "q2", "s1", "s2", "s3", "salmonella.agona", "shadar")
  for (set in sts_sets) {
    env <- new.env(); data(list = set, package = "surveillance", envir = env)
    object <- get(set, envir = env)
    stopifnot(object@freq == 52)
    add_matrix(set, object@observed, object@start)
  }
  for (set in disprog_sets) {
    env <- new.env(); data(list = set, package = "surveillance", envir = env)
    object <- get(set, envir = env)
    stopifnot(object$freq == 52)
    add_matrix(set, object$observed, object$start)
  }
  env <- new.env(); data("campyDE", package = "surveillance", envir = env)
  add("campyDE", env$campyDE$case, env$campyDE$date[1])
  do.call(rbind, out)
}

# ---------------------------------------------------------------------------------------------
# One series, one method: threshold and alarm of the last WEEKS weeks (NA = not judged).

judge <- function(y, method, weeks) {
  n <- length(y)
  evaluated <- max(1, n - weeks + 1):n
  threshold <- rep(NA_real_, length(evaluated))
  alarm <- rep(NA_real_, length(evaluated))
  put <- function(range, ub, al) {
    i <- match(range, evaluated)
    threshold[i] <<- ub
    alarm[i] <<- as.numeric(al)
  }
  series <- sts(observed = matrix(as.numeric(y), ncol = 1), frequency = 52, start = c(2000, 1))
  enough54 <- function(k) sapply(k, function(kk) sum(y[max(1, kk - 3):kk]) >= 5)

  if (method %in% c("ears_c1", "ears_c2", "ears_c3")) {
    lag <- c(ears_c1 = 1, ears_c2 = 3, ears_c3 = 5)[[method]]
    range <- evaluated[evaluated >= 7 + lag]  # earsC stops for earlier weeks
    if (length(range)) {
      # No alpha in the control list: earsC then uses 0.001 (C1, C2) or 0.025 (C3).
      control <- list(method = toupper(sub("ears_", "", method)), range = range, baseline = 7,
                      minSigma = 0)
      if (method == "ears_c3" && length(range) == 1) {
        # earsC's C3 breaks on a one-week range (a matrix drops to a vector); judge the week
        # together with a dummy week appended after it, which cannot influence it.
        padded <- sts(observed = matrix(c(as.numeric(y), 0), ncol = 1), frequency = 52, start = c(2000, 1))
        control$range <- c(range, n + 1)
        res <- earsC(padded, control = control)
        put(range, upperbound(res)[1, 1], alarms(res)[1, 1])
      } else {
        res <- earsC(series, control = control)
        put(range, upperbound(res)[, 1], alarms(res)[, 1])
      }
    }
  } else if (method == "farrington") {
    range <- evaluated[evaluated >= 52 * 5 + 3 + 1]  # cbrnet requires all b years of history
    if (length(range)) {
      control <- list(range = range, b = 5, w = 3, reweight = TRUE, verbose = FALSE, alpha = 0.05,
                      trend = TRUE, limit54 = c(5, 4), powertrans = "2/3",
                      fitFun = "algo.farrington.fitGLM.fast")
      res <- NULL
      # algo.farrington prints its "No convergence with timeTrend" warning with cat().
      invisible(capture.output(res <- tryCatch(suppressWarnings(farrington(series, control = control)),
                                               error = function(e) NULL)))
      if (!is.null(res)) {
        ub <- upperbound(res)[, 1]
        al <- as.numeric(alarms(res)[, 1])
        suppressed <- !enough54(range)
        ub[suppressed] <- NA  # R's placeholder 0
        al[suppressed] <- 0
        put(range, ub, al)
      }
    }
  } else if (method == "farrington_flexible") {
    range <- evaluated[evaluated >= 52 * 5 + 3 + 1]
    control <- function(r) list(
      range = r, b = 5, w = 3, reweight = TRUE, weightsThreshold = 2.58, alpha = 0.05,
      trend = TRUE, pThresholdTrend = 1, limit54 = c(5, 4), powertrans = "2/3",
      fitFun = "algo.farrington.fitGLM.flexible", populationOffset = FALSE, noPeriods = 10,
      pastWeeksNotIncluded = 26, thresholdMethod = "nbPlugin", glmWarnings = FALSE)
    run <- function(r) tryCatch(suppressWarnings(farringtonFlexible(series, control(r))),
                                error = function(e) NULL)
    if (length(range)) {
      res <- run(range)
      if (!is.null(res)) {
        put(range, upperbound(res)[, 1], alarms(res)[, 1])
      } else {
        # An error in one week stops the whole call: judge week by week, errors left NA.
        for (k in range) {
          one <- run(k)
          if (!is.null(one)) put(k, upperbound(one)[, 1], alarms(one)[, 1])
        }
      }
    }
  } else if (method == "cusum") {
    first <- max(2, n - weeks + 1)  # m = mean of the weeks before the window needs one week
    if (first <= n) {
      res <- cusum(series, control = list(range = first:n, k = 1.04, h = 2.26, m = NULL,
                                          trans = "standard"))
      put(first:n, upperbound(res)[, 1], alarms(res)[, 1])
    }
  }
  # cbrnet convention: a week without an alarm value was not judged and has no threshold either
  # (algo.cusum reports 0 there, the value it substitutes for NaN).
  threshold[is.na(alarm)] <- NA
  list(evaluated = evaluated, threshold = threshold, alarm = alarm)
}

format_threshold <- function(x) {
  x[!is.na(x) & x == 0] <- 0  # R's cusum can return -0; print it as 0
  ifelse(is.na(x), "", sprintf("%.15g", x))
}

format_alarm <- function(x) ifelse(is.na(x), "", as.character(as.integer(x)))

judge_set <- function(input, method, weeks) {
  names <- unique(input$series)
  parts <- lapply(names, function(name) {
    rows <- input[input$series == name, ]
    rows <- rows[order(rows$date), ]
    result <- judge(rows$count, method, weeks)
    rows <- rows[result$evaluated, ]
    data.frame(series = rows$series, date = rows$date, count = rows$count,
               threshold = format_threshold(result$threshold), alarm = format_alarm(result$alarm))
  })
  do.call(rbind, parts)
}

write_gz <- function(frame, path) {
  connection <- gzfile(path, "w")
  write.csv(frame, connection, row.names = FALSE, quote = FALSE)
  close(connection)
}

read_input <- function(path) {
  read.csv(gzfile(path), colClasses = c("character", "character", "integer"))
}

# ---------------------------------------------------------------------------------------------

package_input <- package_series()
write_gz(package_input, file.path(fixture_dir, "package_input.csv.gz"))

sets <- list(synthetic = read_input(file.path(fixture_dir, "synthetic_input.csv.gz")),
             package = read_input(file.path(fixture_dir, "package_input.csv.gz")))
for (set in names(sets)) {
  for (method in RUN) {
    started <- Sys.time()
    output <- judge_set(sets[[set]], method, WEEKS)
    write_gz(output, file.path(fixture_dir, sprintf("r_%s_%s.csv.gz", set, method)))
    cat(sprintf("%s %s: %d rows in %.1f s\n", set, method, nrow(output),
                as.numeric(difftime(Sys.time(), started, units = "secs"))))
  }
}

manifest <- sprintf(
  '{\n  "r_version": "%s",\n  "surveillance_version": "%s",\n  "weeks": %d,\n  "sets": ["synthetic", "package"],\n  "methods": [%s]\n}\n',
  paste(R.version$major, R.version$minor, sep = "."), as.character(packageVersion("surveillance")),
  WEEKS, paste0('"', METHODS, '"', collapse = ", "))
writeLines(manifest, file.path(fixture_dir, "manifest.json"), sep = "")
