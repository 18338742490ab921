# ctest driver: install the build tree into a scratch prefix, then configure, build and run the
# consumer project against it with find_package(spyker); check pkg-config too when present (C with
# spyker.pc, C++ with spyker-cpp.pc).
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(LAST_OUTPUT "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${SPYKER_BUILD_DIR} --prefix ${prefix})
run(${CMAKE_COMMAND} -S ${CONSUMER_SOURCE} -B ${WORK_DIR}/build
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer_c)
run(${WORK_DIR}/build/consumer_static)
run(${WORK_DIR}/build/consumer_cpp)

find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  file(GLOB pcdir LIST_DIRECTORIES true ${prefix}/lib*/pkgconfig ${prefix}/lib/*/pkgconfig)
  set(ENV{PKG_CONFIG_PATH} "${pcdir}")
  run(${PKG_CONFIG} --cflags --libs spyker)
  string(STRIP "${LAST_OUTPUT}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run(${C_COMPILER} -std=c99 -Wall -Wextra -Werror ${CONSUMER_SOURCE}/main.c ${flags}
      -Wl,-rpath,${pcdir}/.. -o ${WORK_DIR}/consumer_pkgconfig)
  run(${WORK_DIR}/consumer_pkgconfig)
  # The C++ API through spyker-cpp.pc: Cflags bring -std=c++17 and the include folder, Libs the
  # static libspyker_cpp.a and its system libraries (no rpath: nothing shared is linked).
  run(${PKG_CONFIG} --cflags --libs spyker-cpp)
  string(STRIP "${LAST_OUTPUT}" cxxflags)
  separate_arguments(cxxflags UNIX_COMMAND "${cxxflags}")
  list(FIND cxxflags "-std=c++17" std_index) # (script mode: no IN_LIST, policy CMP0057 unset)
  if(std_index EQUAL -1)
    message(FATAL_ERROR "spyker-cpp.pc: expected -std=c++17 in its flags, got ${cxxflags}")
  endif()
  run(${CXX_COMPILER} -Wall -Wextra -Werror ${CONSUMER_SOURCE}/main.cpp ${cxxflags}
      -o ${WORK_DIR}/consumer_cpp_pkgconfig)
  run(${WORK_DIR}/consumer_cpp_pkgconfig)
endif()
