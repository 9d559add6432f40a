# unity.cmake -- compile each target's sources in batches (unity build).
#
# Most of a translation unit's time goes to the CAF, Beast and nlohmann
# templates its headers instantiate, and every file instantiates them
# again; a batch file that includes up to RMCP_UNITY_BATCH sources pays
# for them once (docs/benchmarks.md, "Build time").
#
# CMake's own UNITY_BUILD writes the sources' absolute paths into its batch
# files, so two checkouts of the repository never share a ccache entry.
# These batch files include each source by its path relative to the batch
# file (build/unity/<target>/batch_<n>.cpp), the same in every checkout
# whose build folder is <checkout>/build.
#
# Files of one batch share one translation unit, so two of them must not
# define the same name at file scope (in an anonymous namespace, say). The
# batching reads, from each source, the name declared on every line that
# starts at column 0 (a function, variable, struct, class or enum) and
# never puts two files declaring the same name in one batch. A clash it
# misses fails the compile ("redefinition of ..."); rename the name in one
# of the two files. RMCP_UNITY_BUILD=OFF compiles every file on its own.

option(RMCP_UNITY_BUILD "Compile each target's sources in batches" ON)
set(RMCP_UNITY_BATCH 8 CACHE STRING "Sources per unity batch at most")

# The names `src` declares at file scope (one per line at column 0),
# without macros (all capitals) and without the declarations that may
# repeat in one translation unit (using-declarations, namespace aliases,
# extern). A type alias (`using name = type;`) may repeat with the same
# type: it is kept as `name=type`, and clashes only with another type.
function(rmcp_unity_names src out)
  file(STRINGS ${src} lines REGEX "^[A-Za-z]")
  set(names)
  foreach(line IN LISTS lines)
    if(line MATCHES "^using ([A-Za-z_][A-Za-z0-9_]*) = *(.*)$")
      string(REPLACE " " "" type "${CMAKE_MATCH_2}")
      list(APPEND names "${CMAKE_MATCH_1}=${type}")
      continue()
    endif()
    if(line MATCHES "^(namespace|using|template|extern|typedef)[^A-Za-z0-9_]")
      continue()
    endif()
    if(line MATCHES "^(struct|class|enum class|enum|union) ([A-Za-z_][A-Za-z0-9_]*)")
      set(name ${CMAKE_MATCH_2})
    elseif(line MATCHES "([A-Za-z_][A-Za-z0-9_]*) *[([={]")
      set(name ${CMAKE_MATCH_1})
    else()
      continue()
    endif()
    if(NOT name MATCHES "^[A-Z0-9_]+$")
      list(APPEND names ${name})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES names)
  set(${out} ${names} PARENT_SCOPE)
endfunction()

# Replaces the .cpp sources of `target` by batch files: each source goes
# to the first batch that has room and declares none of its names.
function(rmcp_unity_target target)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  set(dir ${PROJECT_BINARY_DIR}/unity/${target})
  set(kept)
  set(count 0)
  foreach(src IN LISTS sources)
    if(NOT src MATCHES "\\.cpp$")
      list(APPEND kept ${src})
      continue()
    endif()
    get_filename_component(path ${src} ABSOLUTE BASE_DIR ${source_dir})
    # A source the build generates (under the build folder) compiles on
    # its own: it does not exist yet when this runs.
    string(FIND "${path}" "${PROJECT_BINARY_DIR}/" generated)
    if(generated EQUAL 0)
      list(APPEND kept ${src})
      continue()
    endif()
    rmcp_unity_names(${path} names)
    set(aliases ${names})
    list(FILTER aliases INCLUDE REGEX "=")
    list(TRANSFORM aliases REPLACE "=.*" "")
    set(placed FALSE)
    set(i 0)
    while(i LESS count)
      list(LENGTH batch_${i} size)
      if(size LESS RMCP_UNITY_BATCH)
        set(clash FALSE)
        foreach(name IN LISTS names)
          # A name clashes with the same name declared in the batch; an
          # alias (name=type) not with the same alias.
          string(REGEX REPLACE "=.*" "" bare "${name}")
          if(bare IN_LIST names_${i})
            set(clash TRUE)
          elseif(bare IN_LIST aliases_${i} AND NOT name IN_LIST names_${i})
            set(clash TRUE)
          endif()
          if(clash)
            break()
          endif()
        endforeach()
        if(NOT clash)
          list(APPEND batch_${i} ${path})
          list(APPEND names_${i} ${names})
          list(APPEND aliases_${i} ${aliases})
          set(placed TRUE)
          break()
        endif()
      endif()
      math(EXPR i "${i} + 1")
    endwhile()
    if(NOT placed)
      set(batch_${count} ${path})
      set(names_${count} ${names})
      set(aliases_${count} ${aliases})
      math(EXPR count "${count} + 1")
    endif()
  endforeach()
  if(count EQUAL 0)
    return()
  endif()

  set(written)
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    list(LENGTH batch_${i} size)
    if(size EQUAL 1)
      # A batch of one: the source itself, so its ccache entry is the
      # one a build without batches makes.
      list(APPEND kept ${batch_${i}})
      continue()
    endif()
    set(content "// Generated by cmake/unity.cmake: one translation unit.\n")
    foreach(path IN LISTS batch_${i})
      file(RELATIVE_PATH rel ${dir} ${path})
      string(APPEND content "#include \"${rel}\"\n")
    endforeach()
    set(file ${dir}/batch_${i}.cpp)
    set(old "")
    if(EXISTS ${file})
      file(READ ${file} old)
    endif()
    # Rewritten only when it changes: a new time stamp recompiles it.
    if(NOT old STREQUAL content)
      file(WRITE ${file} "${content}")
    endif()
    list(APPEND kept ${file})
    list(APPEND written ${file})
  endforeach()
  file(GLOB stale ${dir}/*.cpp)
  foreach(file IN LISTS stale)
    if(NOT file IN_LIST written)
      file(REMOVE ${file})
    endif()
  endforeach()
  set_property(TARGET ${target} PROPERTY SOURCES ${kept})
endfunction()

# Every library and executable defined in `dir` and the folders below it.
function(rmcp_unity_all dir)
  if(NOT RMCP_UNITY_BUILD)
    return()
  endif()
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type MATCHES "^(STATIC_LIBRARY|SHARED_LIBRARY|OBJECT_LIBRARY|EXECUTABLE)$")
      rmcp_unity_target(${target})
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    rmcp_unity_all(${sub})
  endforeach()
endfunction()
