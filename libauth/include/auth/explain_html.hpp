// `authscope explain --format html`: the evidence page of a sample (auth/html.hpp's inert page):
// the verdict first, the authentication chain as a diagram, the findings with their evidence,
// the message as the recipient saw it (its HTML re-rendered inertly) with the customer-set fields
// and every indicator highlighted in place and linked to its finding, the indicators, and what
// to do next.
#pragma once
#include <string>

#include "auth/explain.hpp"
#include "auth/message.hpp"
#include "auth/mime.hpp"

namespace auth {

// One sample's <article> (a page holds one or several). Its anchors are prefixed with a tag
// derived from `file`, so the sections of one run never clash.
std::string explain_html_section(const ExplainReport& r, const Message& msg, const std::string& file,
                                 const MimeLimits& limits = {});

// A whole page for one sample: html_page_begin + the section + html_page_end.
std::string explain_html(const ExplainReport& r, const Message& msg, const std::string& file,
                         const MimeLimits& limits = {});

}  // namespace auth
