/// Everything koe offers, in one include: `#include <koe/koe.hpp>`.
///
/// The stages (io, normalize, tokenize, vectorize, cluster, describe), the pipeline that runs them
/// and the fitted model it keeps, scoring in its four parts (score, decisions, trace, config) with
/// `assess` above them, the outputs, the option descriptors and the job that the `koe` tool and
/// the Python module both run. Each header can also be included on its own.
#pragma once

#include <koe/assess.hpp>
#include <koe/assign.hpp>
#include <koe/changes.hpp>
#include <koe/cluster.hpp>
#include <koe/decisions.hpp>
#include <koe/describe.hpp>
#include <koe/error.hpp>
#include <koe/io.hpp>
#include <koe/job.hpp>
#include <koe/lineage.hpp>
#include <koe/model.hpp>
#include <koe/model_file.hpp>
#include <koe/model_trends.hpp>
#include <koe/normalize.hpp>
#include <koe/options.hpp>
#include <koe/output_set.hpp>
#include <koe/pipeline.hpp>
#include <koe/report.hpp>
#include <koe/score.hpp>
#include <koe/score_config.hpp>
#include <koe/terms.hpp>
#include <koe/text_column.hpp>
#include <koe/tokenize.hpp>
#include <koe/trace.hpp>
#include <koe/types.hpp>
#include <koe/vectorize.hpp>
