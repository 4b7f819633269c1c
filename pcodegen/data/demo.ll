; Generated from bitcode_samples/c/registry/ by `python3 bitcode_samples/build.py demo`:
; clang-19 -O0 -Xclang -disable-O0-optnone -fPIC -ffp-contract=off -emit-llvm -c -std=gnu17 -Wall -Wextra on each .c file,
; then llvm-link-19 and llvm-dis-19.  Expected stdout: demo.expected.txt.
; Do not edit by hand.
; ModuleID = 'registry.bc'
source_filename = "llvm-link"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%struct.builtin = type { ptr, ptr, i64, i32 }
%struct.plugin = type { ptr, ptr, i64, i32, ptr }
%struct.visit_ctx = type { i32, i64 }

@llvm.global_ctors = appending global [4 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 101, ptr @init, ptr null }, { i32, ptr, ptr } { i32 110, ptr @init.3, ptr null }, { i32, ptr, ptr } { i32 120, ptr @init.36, ptr null }, { i32, ptr, ptr } { i32 105, ptr @early, ptr null }]
@.str = private unnamed_addr constant [42 x i8] c"registry demo (strong banner from main.c)\00", align 1
@.str.1 = private unnamed_addr constant [24 x i8] c"strong motd from main.c\00", align 1
@.str.2 = private unnamed_addr constant [16 x i8] c"ctor main (101)\00", align 1
@.str.3 = private unnamed_addr constant [10 x i8] c"== %s ==\0A\00", align 1
@.str.4 = private unnamed_addr constant [10 x i8] c"motd: %s\0A\00", align 1
@.str.5 = private unnamed_addr constant [30 x i8] c"verbosity: %d (weak default)\0A\00", align 1
@.str.6 = private unnamed_addr constant [16 x i8] c"tags: %s %s %s\0A\00", align 1
@.str.7 = private unnamed_addr constant [18 x i8] c"constructor order\00", align 1
@.str.8 = private unnamed_addr constant [10 x i8] c"  %d: %s\0A\00", align 1
@.str.9 = private unnamed_addr constant [17 x i8] c"plugins (sorted)\00", align 1
@.str.10 = private unnamed_addr constant [16 x i8] c"  weight = %ld\0A\00", align 1
@.str.11 = private unnamed_addr constant [35 x i8] c"  param sum (mod 1000 each) = %ld\0A\00", align 1
@.str.12 = private unnamed_addr constant [12 x i8] c"apply chain\00", align 1
@.str.13 = private unnamed_addr constant [22 x i8] c"  apply(%3ld) = %7ld\0A\00", align 1
@.str.14 = private unnamed_addr constant [21 x i8] c"  accumulated = %ld\0A\00", align 1
@.str.15 = private unnamed_addr constant [11 x i8] c"hofstadter\00", align 1
@.str.16 = private unnamed_addr constant [19 x i8] c"  F/M(%2ld) = %ld\0A\00", align 1
@.str.17 = private unnamed_addr constant [8 x i8] c"summary\00", align 1
@.str.18 = private unnamed_addr constant [18 x i8] c"  checksum = %ld\0A\00", align 1
@.str.19 = private unnamed_addr constant [40 x i8] c"  finalize(12345) = %ld (weak default)\0A\00", align 1
@.str.20 = private unnamed_addr constant [28 x i8] c"  calls: a=%d b=%d main=%d\0A\00", align 1
@count = internal global i32 0, align 4
@.str.21 = private unnamed_addr constant [23 x i8] c"  banner length = %zu\0A\00", align 1
@.str.22 = private unnamed_addr constant [5 x i8] c"main\00", align 1
@.str.23 = private unnamed_addr constant [42 x i8] c"  #%d %-8s prio=%2d param=%-10ld from %s\0A\00", align 1
@plugins_a_ops = constant [4 x ptr] [ptr @op_add, ptr @op_mul, ptr @op_mix, ptr @op_square], align 16
@.str.24 = private unnamed_addr constant [21 x i8] c"ctor plugins_a (110)\00", align 1
@builtins = internal constant [4 x %struct.builtin] [%struct.builtin { ptr @.str.1.27, ptr @op_add, i64 7, i32 30 }, %struct.builtin { ptr @.str.2.28, ptr @op_mul, i64 3, i32 10 }, %struct.builtin { ptr @.str.3.29, ptr @op_mix, i64 1540483477, i32 50 }, %struct.builtin { ptr @.str.4.30, ptr @op_square, i64 11, i32 20 }], align 16
@count.1 = internal global i32 0, align 4
@.str.1.27 = private unnamed_addr constant [5 x i8] c"add7\00", align 1
@.str.2.28 = private unnamed_addr constant [5 x i8] c"mul3\00", align 1
@.str.3.29 = private unnamed_addr constant [4 x i8] c"mix\00", align 1
@.str.4.30 = private unnamed_addr constant [7 x i8] c"square\00", align 1
@.str.5.26 = private unnamed_addr constant [10 x i8] c"plugins_a\00", align 1
@llvm.global_dtors = appending global [2 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 120, ptr @fini, ptr null }, { i32, ptr, ptr } { i32 101, ptr @fini.54, ptr null }]
@.str.38 = private unnamed_addr constant [21 x i8] c"ctor plugins_b (120)\00", align 1
@.str.1.39 = private unnamed_addr constant [8 x i8] c"collatz\00", align 1
@.str.2.40 = private unnamed_addr constant [10 x i8] c"plugins_b\00", align 1
@.str.3.41 = private unnamed_addr constant [4 x i8] c"hof\00", align 1
@.str.4.42 = private unnamed_addr constant [7 x i8] c"digits\00", align 1
@.str.5.37 = private unnamed_addr constant [27 x i8] c"ctor plugins_b early (105)\00", align 1
@.str.6.46 = private unnamed_addr constant [39 x i8] c"[dtor %s 120] plugin calls: a=%d b=%d\0A\00", align 1
@count.43 = internal global i32 0, align 4
@registry_verbosity = weak global i32 2, align 4
@registry_motd = global ptr @.str.1, align 8
@nevents = internal global i32 0, align 4
@events = internal global [64 x ptr] zeroinitializer, align 16
@.str.2.69 = private unnamed_addr constant [7 x i8] c"<none>\00", align 1
@count.56 = internal global i32 0, align 4
@.str.3.72 = private unnamed_addr constant [29 x i8] c"%s: table full, dropping %s\0A\00", align 1
@table = internal global [32 x %struct.plugin] zeroinitializer, align 16
@.str.4.57 = private unnamed_addr constant [37 x i8] c"[dtor %s 101] %d plugins, %d events\0A\00", align 1
@.str.5.58 = private unnamed_addr constant [9 x i8] c"registry\00", align 1

; Function Attrs: noinline nounwind uwtable
define internal void @init() #0 {
  call void @event_log(ptr noundef @.str.2)
  ret void
}

; Function Attrs: noinline nounwind uwtable
define ptr @registry_banner() #0 {
  ret ptr @.str
}

; Function Attrs: noinline nounwind uwtable
define i32 @main() #0 {
  %1 = alloca i32, align 4
  %2 = alloca i32, align 4
  %3 = alloca %struct.visit_ctx, align 8
  %4 = alloca i64, align 8
  %5 = alloca i64, align 8
  %6 = alloca i64, align 8
  %7 = alloca i64, align 8
  %8 = alloca i64, align 8
  store i32 0, ptr %1, align 4
  %9 = call ptr @registry_banner()
  %10 = call i32 (ptr, ...) @printf(ptr noundef @.str.3, ptr noundef %9)
  %11 = load ptr, ptr @registry_motd, align 8
  %12 = call i32 (ptr, ...) @printf(ptr noundef @.str.4, ptr noundef %11)
  %13 = load i32, ptr @registry_verbosity, align 4
  %14 = call i32 (ptr, ...) @printf(ptr noundef @.str.5, i32 noundef %13)
  %15 = call ptr @tag()
  %16 = call ptr @plugins_a_tag()
  %17 = call ptr @plugins_b_tag()
  %18 = call i32 (ptr, ...) @printf(ptr noundef @.str.6, ptr noundef %15, ptr noundef %16, ptr noundef %17)
  %19 = call i32 (ptr, ...) @printf(ptr noundef @.str.3, ptr noundef @.str.7)
  store i32 0, ptr %2, align 4
  br label %20

20:                                               ; preds = %29, %0
  %21 = load i32, ptr %2, align 4
  %22 = call i32 @event_count()
  %23 = icmp slt i32 %21, %22
  br i1 %23, label %24, label %32

24:                                               ; preds = %20
  %25 = load i32, ptr %2, align 4
  %26 = load i32, ptr %2, align 4
  %27 = call ptr @event_at(i32 noundef %26)
  %28 = call i32 (ptr, ...) @printf(ptr noundef @.str.8, i32 noundef %25, ptr noundef %27)
  br label %29

29:                                               ; preds = %24
  %30 = load i32, ptr %2, align 4
  %31 = add nsw i32 %30, 1
  store i32 %31, ptr %2, align 4
  br label %20, !llvm.loop !5

32:                                               ; preds = %20
  call void @registry_sort()
  %33 = call i32 (ptr, ...) @printf(ptr noundef @.str.3, ptr noundef @.str.9)
  call void @llvm.memset.p0.i64(ptr align 8 %3, i8 0, i64 16, i1 false)
  call void @registry_foreach(ptr noundef @print_plugin, ptr noundef %3)
  %34 = getelementptr inbounds %struct.visit_ctx, ptr %3, i32 0, i32 1
  %35 = load i64, ptr %34, align 8
  %36 = call i32 (ptr, ...) @printf(ptr noundef @.str.10, i64 noundef %35)
  store i64 0, ptr %4, align 8
  call void @registry_foreach(ptr noundef @sum_params, ptr noundef %4)
  %37 = load i64, ptr %4, align 8
  %38 = call i32 (ptr, ...) @printf(ptr noundef @.str.11, i64 noundef %37)
  %39 = call i32 (ptr, ...) @printf(ptr noundef @.str.3, ptr noundef @.str.12)
  store i64 0, ptr %5, align 8
  store i64 0, ptr %6, align 8
  br label %40

40:                                               ; preds = %60, %32
  %41 = load i64, ptr %6, align 8
  %42 = icmp slt i64 %41, 12
  br i1 %42, label %43, label %63

43:                                               ; preds = %40
  %44 = load i64, ptr %6, align 8
  %45 = load i64, ptr %6, align 8
  %46 = mul nsw i64 %44, %45
  %47 = add nsw i64 %46, 1
  %48 = call i64 @registry_apply_all(i64 noundef %47)
  store i64 %48, ptr %7, align 8
  %49 = load i64, ptr %5, align 8
  %50 = mul nsw i64 %49, 131
  %51 = load i64, ptr %7, align 8
  %52 = add nsw i64 %50, %51
  %53 = call i64 @wrap_mod(i64 noundef %52, i64 noundef 1000003)
  store i64 %53, ptr %5, align 8
  %54 = load i64, ptr %6, align 8
  %55 = load i64, ptr %6, align 8
  %56 = mul nsw i64 %54, %55
  %57 = add nsw i64 %56, 1
  %58 = load i64, ptr %7, align 8
  %59 = call i32 (ptr, ...) @printf(ptr noundef @.str.13, i64 noundef %57, i64 noundef %58)
  br label %60

60:                                               ; preds = %43
  %61 = load i64, ptr %6, align 8
  %62 = add nsw i64 %61, 1
  store i64 %62, ptr %6, align 8
  br label %40, !llvm.loop !7

63:                                               ; preds = %40
  %64 = load i64, ptr %5, align 8
  %65 = call i32 (ptr, ...) @printf(ptr noundef @.str.14, i64 noundef %64)
  %66 = call i32 (ptr, ...) @printf(ptr noundef @.str.3, ptr noundef @.str.15)
  store i64 0, ptr %8, align 8
  br label %67

67:                                               ; preds = %75, %63
  %68 = load i64, ptr %8, align 8
  %69 = icmp slt i64 %68, 16
  br i1 %69, label %70, label %78

70:                                               ; preds = %67
  %71 = load i64, ptr %8, align 8
  %72 = load i64, ptr %8, align 8
  %73 = call i64 @plugins_b_hofstadter(i64 noundef %72)
  %74 = call i32 (ptr, ...) @printf(ptr noundef @.str.16, i64 noundef %71, i64 noundef %73)
  br label %75

75:                                               ; preds = %70
  %76 = load i64, ptr %8, align 8
  %77 = add nsw i64 %76, 3
  store i64 %77, ptr %8, align 8
  br label %67, !llvm.loop !8

78:                                               ; preds = %67
  %79 = call i32 (ptr, ...) @printf(ptr noundef @.str.3, ptr noundef @.str.17)
  %80 = call i64 @registry_checksum()
  %81 = call i32 (ptr, ...) @printf(ptr noundef @.str.18, i64 noundef %80)
  %82 = call i64 @registry_finalize(i64 noundef 12345)
  %83 = call i32 (ptr, ...) @printf(ptr noundef @.str.19, i64 noundef %82)
  %84 = call i32 @plugins_a_calls()
  %85 = call i32 @plugins_b_calls()
  %86 = load i32, ptr @count, align 4
  %87 = call i32 (ptr, ...) @printf(ptr noundef @.str.20, i32 noundef %84, i32 noundef %85, i32 noundef %86)
  %88 = call ptr @registry_banner()
  %89 = call i64 @strlen(ptr noundef %88) #5
  %90 = call i32 (ptr, ...) @printf(ptr noundef @.str.21, i64 noundef %89)
  ret i32 0
}

declare i32 @printf(ptr noundef, ...) #1

; Function Attrs: noinline nounwind uwtable
define internal ptr @tag() #0 {
  ret ptr @.str.22
}

; Function Attrs: nocallback nofree nounwind willreturn memory(argmem: write)
declare void @llvm.memset.p0.i64(ptr nocapture writeonly, i8, i64, i1 immarg) #2

; Function Attrs: noinline nounwind uwtable
define internal void @print_plugin(ptr noundef %0, ptr noundef %1) #0 {
  %3 = alloca ptr, align 8
  %4 = alloca ptr, align 8
  %5 = alloca ptr, align 8
  store ptr %0, ptr %3, align 8
  store ptr %1, ptr %4, align 8
  %6 = load ptr, ptr %4, align 8
  store ptr %6, ptr %5, align 8
  %7 = load i32, ptr @count, align 4
  %8 = add nsw i32 %7, 1
  store i32 %8, ptr @count, align 4
  %9 = load ptr, ptr %3, align 8
  %10 = getelementptr inbounds %struct.plugin, ptr %9, i32 0, i32 3
  %11 = load i32, ptr %10, align 8
  %12 = load ptr, ptr %5, align 8
  %13 = getelementptr inbounds %struct.visit_ctx, ptr %12, i32 0, i32 0
  %14 = load i32, ptr %13, align 8
  %15 = add nsw i32 %14, 1
  %16 = mul nsw i32 %11, %15
  %17 = sext i32 %16 to i64
  %18 = load ptr, ptr %5, align 8
  %19 = getelementptr inbounds %struct.visit_ctx, ptr %18, i32 0, i32 1
  %20 = load i64, ptr %19, align 8
  %21 = add nsw i64 %20, %17
  store i64 %21, ptr %19, align 8
  %22 = load ptr, ptr %5, align 8
  %23 = getelementptr inbounds %struct.visit_ctx, ptr %22, i32 0, i32 0
  %24 = load i32, ptr %23, align 8
  %25 = add nsw i32 %24, 1
  store i32 %25, ptr %23, align 8
  %26 = load ptr, ptr %3, align 8
  %27 = getelementptr inbounds %struct.plugin, ptr %26, i32 0, i32 0
  %28 = load ptr, ptr %27, align 8
  %29 = load ptr, ptr %3, align 8
  %30 = getelementptr inbounds %struct.plugin, ptr %29, i32 0, i32 3
  %31 = load i32, ptr %30, align 8
  %32 = load ptr, ptr %3, align 8
  %33 = getelementptr inbounds %struct.plugin, ptr %32, i32 0, i32 2
  %34 = load i64, ptr %33, align 8
  %35 = load ptr, ptr %3, align 8
  %36 = getelementptr inbounds %struct.plugin, ptr %35, i32 0, i32 4
  %37 = load ptr, ptr %36, align 8
  %38 = call i32 (ptr, ...) @printf(ptr noundef @.str.23, i32 noundef %24, ptr noundef %28, i32 noundef %31, i64 noundef %34, ptr noundef %37)
  ret void
}

; Function Attrs: noinline nounwind uwtable
define internal void @sum_params(ptr noundef %0, ptr noundef %1) #0 {
  %3 = alloca ptr, align 8
  %4 = alloca ptr, align 8
  store ptr %0, ptr %3, align 8
  store ptr %1, ptr %4, align 8
  %5 = load i32, ptr @count, align 4
  %6 = add nsw i32 %5, 1
  store i32 %6, ptr @count, align 4
  %7 = load ptr, ptr %3, align 8
  %8 = getelementptr inbounds %struct.plugin, ptr %7, i32 0, i32 2
  %9 = load i64, ptr %8, align 8
  %10 = srem i64 %9, 1000
  %11 = load ptr, ptr %4, align 8
  %12 = load i64, ptr %11, align 8
  %13 = add nsw i64 %12, %10
  store i64 %13, ptr %11, align 8
  ret void
}

; Function Attrs: nounwind willreturn memory(read)
declare i64 @strlen(ptr noundef) #3

; Function Attrs: noinline nounwind uwtable
define internal i64 @op_add(i64 noundef %0, i64 noundef %1) #0 {
  %3 = alloca i64, align 8
  %4 = alloca i64, align 8
  store i64 %0, ptr %3, align 8
  store i64 %1, ptr %4, align 8
  %5 = load i32, ptr @count.1, align 4
  %6 = add nsw i32 %5, 1
  store i32 %6, ptr @count.1, align 4
  %7 = load i64, ptr %3, align 8
  %8 = load i64, ptr %4, align 8
  %9 = add nsw i64 %7, %8
  ret i64 %9
}

; Function Attrs: noinline nounwind uwtable
define internal i64 @op_mul(i64 noundef %0, i64 noundef %1) #0 {
  %3 = alloca i64, align 8
  %4 = alloca i64, align 8
  store i64 %0, ptr %3, align 8
  store i64 %1, ptr %4, align 8
  %5 = load i32, ptr @count.1, align 4
  %6 = add nsw i32 %5, 1
  store i32 %6, ptr @count.1, align 4
  %7 = load i64, ptr %3, align 8
  %8 = load i64, ptr %4, align 8
  %9 = mul nsw i64 %7, %8
  %10 = call i64 @wrap_mod(i64 noundef %9, i64 noundef 1000003)
  ret i64 %10
}

; Function Attrs: noinline nounwind uwtable
define internal i64 @op_mix(i64 noundef %0, i64 noundef %1) #0 {
  %3 = alloca i64, align 8
  %4 = alloca i64, align 8
  store i64 %0, ptr %3, align 8
  store i64 %1, ptr %4, align 8
  %5 = load i32, ptr @count.1, align 4
  %6 = add nsw i32 %5, 1
  store i32 %6, ptr @count.1, align 4
  %7 = load i64, ptr %3, align 8
  %8 = load i64, ptr %4, align 8
  %9 = xor i64 %7, %8
  %10 = call i64 @mix64(i64 noundef %9)
  %11 = urem i64 %10, 1000003
  ret i64 %11
}

; Function Attrs: noinline nounwind uwtable
define internal i64 @op_square(i64 noundef %0, i64 noundef %1) #0 {
  %3 = alloca i64, align 8
  %4 = alloca i64, align 8
  store i64 %0, ptr %3, align 8
  store i64 %1, ptr %4, align 8
  %5 = load i32, ptr @count.1, align 4
  %6 = add nsw i32 %5, 1
  store i32 %6, ptr @count.1, align 4
  %7 = load i64, ptr %3, align 8
  %8 = load i64, ptr %3, align 8
  %9 = mul nsw i64 %7, %8
  %10 = load i64, ptr %4, align 8
  %11 = add nsw i64 %9, %10
  %12 = call i64 @wrap_mod(i64 noundef %11, i64 noundef 1000003)
  ret i64 %12
}

; Function Attrs: noinline nounwind uwtable
define internal i64 @mix64(i64 noundef %0) #0 {
  %2 = alloca i64, align 8
  store i64 %0, ptr %2, align 8
  %3 = load i64, ptr %2, align 8
  %4 = lshr i64 %3, 33
  %5 = load i64, ptr %2, align 8
  %6 = xor i64 %5, %4
  store i64 %6, ptr %2, align 8
  %7 = load i64, ptr %2, align 8
  %8 = mul i64 %7, -49064778989728563
  store i64 %8, ptr %2, align 8
  %9 = load i64, ptr %2, align 8
  %10 = lshr i64 %9, 33
  %11 = load i64, ptr %2, align 8
  %12 = xor i64 %11, %10
  store i64 %12, ptr %2, align 8
  %13 = load i64, ptr %2, align 8
  %14 = mul i64 %13, -4265267296055464877
  store i64 %14, ptr %2, align 8
  %15 = load i64, ptr %2, align 8
  %16 = lshr i64 %15, 33
  %17 = load i64, ptr %2, align 8
  %18 = xor i64 %17, %16
  store i64 %18, ptr %2, align 8
  %19 = load i64, ptr %2, align 8
  ret i64 %19
}

; Function Attrs: noinline nounwind uwtable
define internal void @init.3() #0 {
  %1 = alloca i32, align 4
  call void @event_log(ptr noundef @.str.24)
  store i32 0, ptr %1, align 4
  br label %2

2:                                                ; preds = %28, %0
  %3 = load i32, ptr %1, align 4
  %4 = zext i32 %3 to i64
  %5 = icmp ult i64 %4, 4
  br i1 %5, label %6, label %31

6:                                                ; preds = %2
  %7 = load i32, ptr %1, align 4
  %8 = zext i32 %7 to i64
  %9 = getelementptr inbounds [4 x %struct.builtin], ptr @builtins, i64 0, i64 %8
  %10 = getelementptr inbounds %struct.builtin, ptr %9, i32 0, i32 0
  %11 = load ptr, ptr %10, align 16
  %12 = load i32, ptr %1, align 4
  %13 = zext i32 %12 to i64
  %14 = getelementptr inbounds [4 x %struct.builtin], ptr @builtins, i64 0, i64 %13
  %15 = getelementptr inbounds %struct.builtin, ptr %14, i32 0, i32 1
  %16 = load ptr, ptr %15, align 8
  %17 = load i32, ptr %1, align 4
  %18 = zext i32 %17 to i64
  %19 = getelementptr inbounds [4 x %struct.builtin], ptr @builtins, i64 0, i64 %18
  %20 = getelementptr inbounds %struct.builtin, ptr %19, i32 0, i32 2
  %21 = load i64, ptr %20, align 16
  %22 = load i32, ptr %1, align 4
  %23 = zext i32 %22 to i64
  %24 = getelementptr inbounds [4 x %struct.builtin], ptr @builtins, i64 0, i64 %23
  %25 = getelementptr inbounds %struct.builtin, ptr %24, i32 0, i32 3
  %26 = load i32, ptr %25, align 8
  %27 = call ptr @tag.25()
  call void @registry_add(ptr noundef %11, ptr noundef %16, i64 noundef %21, i32 noundef %26, ptr noundef %27)
  br label %28

28:                                               ; preds = %6
  %29 = load i32, ptr %1, align 4
  %30 = add i32 %29, 1
  store i32 %30, ptr %1, align 4
  br label %2, !llvm.loop !9

31:                                               ; preds = %2
  ret void
}

; Function Attrs: noinline nounwind uwtable
define internal ptr @tag.25() #0 {
  ret ptr @.str.5.26
}

; Function Attrs: noinline nounwind uwtable
define i32 @plugins_a_calls() #0 {
  %1 = load i32, ptr @count.1, align 4
  ret i32 %1
}

; Function Attrs: noinline nounwind uwtable
define ptr @plugins_a_tag() #0 {
  %1 = call ptr @tag.25()
  ret ptr %1
}

; Function Attrs: noinline nounwind uwtable
define internal void @init.36() #0 {
  call void @event_log(ptr noundef @.str.38)
  call void @registry_add(ptr noundef @.str.1.39, ptr noundef @op_collatz, i64 noundef 27, i32 noundef 40, ptr noundef @.str.2.40)
  call void @registry_add(ptr noundef @.str.3.41, ptr noundef @op_hof, i64 noundef 23, i32 noundef 15, ptr noundef @.str.2.40)
  call void @registry_add(ptr noundef @.str.4.42, ptr noundef @op_digits, i64 noundef 13, i32 noundef 30, ptr noundef @.str.2.40)
  ret void
}

; Function Attrs: noinline nounwind uwtable
define internal void @early() #0 {
  call void @event_log(ptr noundef @.str.5.37)
  ret void
}

; Function Attrs: noinline nounwind uwtable
define internal i64 @op_collatz(i64 noundef %0, i64 noundef %1) #0 {
  %3 = alloca i64, align 8
  %4 = alloca i64, align 8
  %5 = alloca i64, align 8
  %6 = alloca i64, align 8
  store i64 %0, ptr %3, align 8
  store i64 %1, ptr %4, align 8
  %7 = load i32, ptr @count.43, align 4
  %8 = add nsw i32 %7, 1
  store i32 %8, ptr @count.43, align 4
  store i64 0, ptr %5, align 8
  %9 = load i64, ptr %3, align 8
  %10 = load i64, ptr %4, align 8
  %11 = add i64 %9, %10
  store i64 %11, ptr %6, align 8
  %12 = load i64, ptr %6, align 8
  %13 = icmp eq i64 %12, 0
  br i1 %13, label %14, label %15

14:                                               ; preds = %2
  store i64 1, ptr %6, align 8
  br label %15

15:                                               ; preds = %14, %2
  br label %16

16:                                               ; preds = %35, %15
  %17 = load i64, ptr %6, align 8
  %18 = icmp ne i64 %17, 1
  br i1 %18, label %19, label %22

19:                                               ; preds = %16
  %20 = load i64, ptr %5, align 8
  %21 = icmp slt i64 %20, 1000
  br label %22

22:                                               ; preds = %19, %16
  %23 = phi i1 [ false, %16 ], [ %21, %19 ]
  br i1 %23, label %24, label %39

24:                                               ; preds = %22
  %25 = load i64, ptr %6, align 8
  %26 = and i64 %25, 1
  %27 = icmp ne i64 %26, 0
  br i1 %27, label %28, label %32

28:                                               ; preds = %24
  %29 = load i64, ptr %6, align 8
  %30 = mul i64 3, %29
  %31 = add i64 %30, 1
  br label %35

32:                                               ; preds = %24
  %33 = load i64, ptr %6, align 8
  %34 = udiv i64 %33, 2
  br label %35

35:                                               ; preds = %32, %28
  %36 = phi i64 [ %31, %28 ], [ %34, %32 ]
  store i64 %36, ptr %6, align 8
  %37 = load i64, ptr %5, align 8
  %38 = add nsw i64 %37, 1
  store i64 %38, ptr %5, align 8
  br label %16, !llvm.loop !10

39:                                               ; preds = %22
  %40 = load i64, ptr %3, align 8
  %41 = mul nsw i64 %40, 7
  %42 = load i64, ptr %5, align 8
  %43 = add nsw i64 %41, %42
  ret i64 %43
}

; Function Attrs: noinline nounwind uwtable
define internal i64 @op_hof(i64 noundef %0, i64 noundef %1) #0 {
  %3 = alloca i64, align 8
  %4 = alloca i64, align 8
  store i64 %0, ptr %3, align 8
  store i64 %1, ptr %4, align 8
  %5 = load i32, ptr @count.43, align 4
  %6 = add nsw i32 %5, 1
  store i32 %6, ptr @count.43, align 4
  %7 = load i64, ptr %3, align 8
  %8 = load i64, ptr %3, align 8
  %9 = load i64, ptr %4, align 8
  %10 = srem i64 %8, %9
  %11 = add nsw i64 %10, 1
  %12 = call i64 @plugins_b_hofstadter(i64 noundef %11)
  %13 = add nsw i64 %7, %12
  ret i64 %13
}

; Function Attrs: noinline nounwind uwtable
define internal i64 @op_digits(i64 noundef %0, i64 noundef %1) #0 {
  %3 = alloca i64, align 8
  %4 = alloca i64, align 8
  %5 = alloca i64, align 8
  %6 = alloca i64, align 8
  store i64 %0, ptr %3, align 8
  store i64 %1, ptr %4, align 8
  %7 = load i32, ptr @count.43, align 4
  %8 = add nsw i32 %7, 1
  store i32 %8, ptr @count.43, align 4
  store i64 0, ptr %5, align 8
  %9 = load i64, ptr %3, align 8
  %10 = icmp slt i64 %9, 0
  br i1 %10, label %11, label %14

11:                                               ; preds = %2
  %12 = load i64, ptr %3, align 8
  %13 = sub nsw i64 0, %12
  br label %16

14:                                               ; preds = %2
  %15 = load i64, ptr %3, align 8
  br label %16

16:                                               ; preds = %14, %11
  %17 = phi i64 [ %13, %11 ], [ %15, %14 ]
  store i64 %17, ptr %6, align 8
  br label %18

18:                                               ; preds = %26, %16
  %19 = load i64, ptr %6, align 8
  %20 = icmp sgt i64 %19, 0
  br i1 %20, label %21, label %29

21:                                               ; preds = %18
  %22 = load i64, ptr %6, align 8
  %23 = srem i64 %22, 10
  %24 = load i64, ptr %5, align 8
  %25 = add nsw i64 %24, %23
  store i64 %25, ptr %5, align 8
  br label %26

26:                                               ; preds = %21
  %27 = load i64, ptr %6, align 8
  %28 = sdiv i64 %27, 10
  store i64 %28, ptr %6, align 8
  br label %18, !llvm.loop !11

29:                                               ; preds = %18
  %30 = load i64, ptr %3, align 8
  %31 = load i64, ptr %5, align 8
  %32 = load i64, ptr %4, align 8
  %33 = mul nsw i64 %31, %32
  %34 = add nsw i64 %30, %33
  ret i64 %34
}

; Function Attrs: noinline nounwind uwtable
define i64 @plugins_b_hofstadter(i64 noundef %0) #0 {
  %2 = alloca i64, align 8
  store i64 %0, ptr %2, align 8
  %3 = load i64, ptr %2, align 8
  %4 = call i64 @hof_f(i64 noundef %3)
  %5 = mul nsw i64 %4, 1000
  %6 = load i64, ptr %2, align 8
  %7 = call i64 @hof_m(i64 noundef %6)
  %8 = add nsw i64 %5, %7
  ret i64 %8
}

; Function Attrs: noinline nounwind uwtable
define internal i64 @hof_f(i64 noundef %0) #0 {
  %2 = alloca i64, align 8
  store i64 %0, ptr %2, align 8
  %3 = load i64, ptr %2, align 8
  %4 = icmp eq i64 %3, 0
  br i1 %4, label %5, label %6

5:                                                ; preds = %1
  br label %13

6:                                                ; preds = %1
  %7 = load i64, ptr %2, align 8
  %8 = load i64, ptr %2, align 8
  %9 = sub nsw i64 %8, 1
  %10 = call i64 @hof_f(i64 noundef %9)
  %11 = call i64 @hof_m(i64 noundef %10)
  %12 = sub nsw i64 %7, %11
  br label %13

13:                                               ; preds = %6, %5
  %14 = phi i64 [ 1, %5 ], [ %12, %6 ]
  ret i64 %14
}

; Function Attrs: noinline nounwind uwtable
define internal i64 @hof_m(i64 noundef %0) #0 {
  %2 = alloca i64, align 8
  store i64 %0, ptr %2, align 8
  %3 = load i64, ptr %2, align 8
  %4 = icmp eq i64 %3, 0
  br i1 %4, label %5, label %6

5:                                                ; preds = %1
  br label %13

6:                                                ; preds = %1
  %7 = load i64, ptr %2, align 8
  %8 = load i64, ptr %2, align 8
  %9 = sub nsw i64 %8, 1
  %10 = call i64 @hof_m(i64 noundef %9)
  %11 = call i64 @hof_f(i64 noundef %10)
  %12 = sub nsw i64 %7, %11
  br label %13

13:                                               ; preds = %6, %5
  %14 = phi i64 [ 0, %5 ], [ %12, %6 ]
  ret i64 %14
}

; Function Attrs: noinline nounwind uwtable
define internal void @fini() #0 {
  %1 = call i32 @plugins_a_calls()
  %2 = load i32, ptr @count.43, align 4
  %3 = call i32 (ptr, ...) @printf(ptr noundef @.str.6.46, ptr noundef @.str.2.40, i32 noundef %1, i32 noundef %2)
  ret void
}

; Function Attrs: noinline nounwind uwtable
define i32 @plugins_b_calls() #0 {
  %1 = load i32, ptr @count.43, align 4
  ret i32 %1
}

; Function Attrs: noinline nounwind uwtable
define ptr @plugins_b_tag() #0 {
  ret ptr @.str.2.40
}

; Function Attrs: noinline nounwind uwtable
define internal void @fini.54() #0 {
  %1 = call ptr @tag.55()
  %2 = load i32, ptr @count.56, align 4
  %3 = load i32, ptr @nevents, align 4
  %4 = call i32 (ptr, ...) @printf(ptr noundef @.str.4.57, ptr noundef %1, i32 noundef %2, i32 noundef %3)
  ret void
}

; Function Attrs: noinline nounwind uwtable
define internal ptr @tag.55() #0 {
  ret ptr @.str.5.58
}

; Function Attrs: noinline nounwind uwtable
define i64 @wrap_mod(i64 noundef %0, i64 noundef %1) #0 {
  %3 = alloca i64, align 8
  %4 = alloca i64, align 8
  %5 = alloca i64, align 8
  store i64 %0, ptr %3, align 8
  store i64 %1, ptr %4, align 8
  %6 = load i64, ptr %3, align 8
  %7 = load i64, ptr %4, align 8
  %8 = srem i64 %6, %7
  store i64 %8, ptr %5, align 8
  %9 = load i64, ptr %5, align 8
  %10 = icmp slt i64 %9, 0
  br i1 %10, label %11, label %15

11:                                               ; preds = %2
  %12 = load i64, ptr %5, align 8
  %13 = load i64, ptr %4, align 8
  %14 = add nsw i64 %12, %13
  br label %17

15:                                               ; preds = %2
  %16 = load i64, ptr %5, align 8
  br label %17

17:                                               ; preds = %15, %11
  %18 = phi i64 [ %14, %11 ], [ %16, %15 ]
  ret i64 %18
}

; Function Attrs: noinline nounwind uwtable
define weak i64 @registry_finalize(i64 noundef %0) #0 {
  %2 = alloca i64, align 8
  store i64 %0, ptr %2, align 8
  %3 = load i64, ptr %2, align 8
  %4 = mul nsw i64 %3, 31
  %5 = add nsw i64 %4, 7
  %6 = call i64 @wrap_mod(i64 noundef %5, i64 noundef 1000003)
  ret i64 %6
}

; Function Attrs: noinline nounwind uwtable
define void @event_log(ptr noundef %0) #0 {
  %2 = alloca ptr, align 8
  store ptr %0, ptr %2, align 8
  %3 = load i32, ptr @nevents, align 4
  %4 = icmp slt i32 %3, 64
  br i1 %4, label %5, label %11

5:                                                ; preds = %1
  %6 = load ptr, ptr %2, align 8
  %7 = load i32, ptr @nevents, align 4
  %8 = add nsw i32 %7, 1
  store i32 %8, ptr @nevents, align 4
  %9 = sext i32 %7 to i64
  %10 = getelementptr inbounds [64 x ptr], ptr @events, i64 0, i64 %9
  store ptr %6, ptr %10, align 8
  br label %11

11:                                               ; preds = %5, %1
  ret void
}

; Function Attrs: noinline nounwind uwtable
define i32 @event_count() #0 {
  %1 = load i32, ptr @nevents, align 4
  ret i32 %1
}

; Function Attrs: noinline nounwind uwtable
define ptr @event_at(i32 noundef %0) #0 {
  %2 = alloca i32, align 4
  store i32 %0, ptr %2, align 4
  %3 = load i32, ptr %2, align 4
  %4 = icmp sge i32 %3, 0
  br i1 %4, label %5, label %14

5:                                                ; preds = %1
  %6 = load i32, ptr %2, align 4
  %7 = load i32, ptr @nevents, align 4
  %8 = icmp slt i32 %6, %7
  br i1 %8, label %9, label %14

9:                                                ; preds = %5
  %10 = load i32, ptr %2, align 4
  %11 = sext i32 %10 to i64
  %12 = getelementptr inbounds [64 x ptr], ptr @events, i64 0, i64 %11
  %13 = load ptr, ptr %12, align 8
  br label %15

14:                                               ; preds = %5, %1
  br label %15

15:                                               ; preds = %14, %9
  %16 = phi ptr [ %13, %9 ], [ @.str.2.69, %14 ]
  ret ptr %16
}

; Function Attrs: noinline nounwind uwtable
define void @registry_add(ptr noundef %0, ptr noundef %1, i64 noundef %2, i32 noundef %3, ptr noundef %4) #0 {
  %6 = alloca ptr, align 8
  %7 = alloca ptr, align 8
  %8 = alloca i64, align 8
  %9 = alloca i32, align 4
  %10 = alloca ptr, align 8
  store ptr %0, ptr %6, align 8
  store ptr %1, ptr %7, align 8
  store i64 %2, ptr %8, align 8
  store i32 %3, ptr %9, align 4
  store ptr %4, ptr %10, align 8
  %11 = load i32, ptr @count.56, align 4
  %12 = icmp sge i32 %11, 32
  br i1 %12, label %13, label %17

13:                                               ; preds = %5
  %14 = call ptr @tag.55()
  %15 = load ptr, ptr %6, align 8
  %16 = call i32 (ptr, ...) @printf(ptr noundef @.str.3.72, ptr noundef %14, ptr noundef %15)
  br label %45

17:                                               ; preds = %5
  %18 = load ptr, ptr %6, align 8
  %19 = load i32, ptr @count.56, align 4
  %20 = sext i32 %19 to i64
  %21 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %20
  %22 = getelementptr inbounds %struct.plugin, ptr %21, i32 0, i32 0
  store ptr %18, ptr %22, align 8
  %23 = load ptr, ptr %7, align 8
  %24 = load i32, ptr @count.56, align 4
  %25 = sext i32 %24 to i64
  %26 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %25
  %27 = getelementptr inbounds %struct.plugin, ptr %26, i32 0, i32 1
  store ptr %23, ptr %27, align 8
  %28 = load i64, ptr %8, align 8
  %29 = load i32, ptr @count.56, align 4
  %30 = sext i32 %29 to i64
  %31 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %30
  %32 = getelementptr inbounds %struct.plugin, ptr %31, i32 0, i32 2
  store i64 %28, ptr %32, align 8
  %33 = load i32, ptr %9, align 4
  %34 = load i32, ptr @count.56, align 4
  %35 = sext i32 %34 to i64
  %36 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %35
  %37 = getelementptr inbounds %struct.plugin, ptr %36, i32 0, i32 3
  store i32 %33, ptr %37, align 8
  %38 = load ptr, ptr %10, align 8
  %39 = load i32, ptr @count.56, align 4
  %40 = sext i32 %39 to i64
  %41 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %40
  %42 = getelementptr inbounds %struct.plugin, ptr %41, i32 0, i32 4
  store ptr %38, ptr %42, align 8
  %43 = load i32, ptr @count.56, align 4
  %44 = add nsw i32 %43, 1
  store i32 %44, ptr @count.56, align 4
  br label %45

45:                                               ; preds = %17, %13
  ret void
}

; Function Attrs: noinline nounwind uwtable
define i32 @registry_count() #0 {
  %1 = load i32, ptr @count.56, align 4
  ret i32 %1
}

; Function Attrs: noinline nounwind uwtable
define ptr @registry_get(i32 noundef %0) #0 {
  %2 = alloca i32, align 4
  store i32 %0, ptr %2, align 4
  %3 = load i32, ptr %2, align 4
  %4 = icmp sge i32 %3, 0
  br i1 %4, label %5, label %13

5:                                                ; preds = %1
  %6 = load i32, ptr %2, align 4
  %7 = load i32, ptr @count.56, align 4
  %8 = icmp slt i32 %6, %7
  br i1 %8, label %9, label %13

9:                                                ; preds = %5
  %10 = load i32, ptr %2, align 4
  %11 = sext i32 %10 to i64
  %12 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %11
  br label %14

13:                                               ; preds = %5, %1
  br label %14

14:                                               ; preds = %13, %9
  %15 = phi ptr [ %12, %9 ], [ null, %13 ]
  ret ptr %15
}

; Function Attrs: noinline nounwind uwtable
define void @registry_sort() #0 {
  %1 = alloca i32, align 4
  %2 = alloca %struct.plugin, align 8
  %3 = alloca i32, align 4
  store i32 1, ptr %1, align 4
  br label %4

4:                                                ; preds = %40, %0
  %5 = load i32, ptr %1, align 4
  %6 = load i32, ptr @count.56, align 4
  %7 = icmp slt i32 %5, %6
  br i1 %7, label %8, label %43

8:                                                ; preds = %4
  %9 = load i32, ptr %1, align 4
  %10 = sext i32 %9 to i64
  %11 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %10
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %2, ptr align 8 %11, i64 40, i1 false)
  %12 = load i32, ptr %1, align 4
  %13 = sub nsw i32 %12, 1
  store i32 %13, ptr %3, align 4
  br label %14

14:                                               ; preds = %25, %8
  %15 = load i32, ptr %3, align 4
  %16 = icmp sge i32 %15, 0
  br i1 %16, label %17, label %23

17:                                               ; preds = %14
  %18 = load i32, ptr %3, align 4
  %19 = sext i32 %18 to i64
  %20 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %19
  %21 = call i32 @plugin_before(ptr noundef %2, ptr noundef %20)
  %22 = icmp ne i32 %21, 0
  br label %23

23:                                               ; preds = %17, %14
  %24 = phi i1 [ false, %14 ], [ %22, %17 ]
  br i1 %24, label %25, label %35

25:                                               ; preds = %23
  %26 = load i32, ptr %3, align 4
  %27 = add nsw i32 %26, 1
  %28 = sext i32 %27 to i64
  %29 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %28
  %30 = load i32, ptr %3, align 4
  %31 = sext i32 %30 to i64
  %32 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %31
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %29, ptr align 8 %32, i64 40, i1 false)
  %33 = load i32, ptr %3, align 4
  %34 = add nsw i32 %33, -1
  store i32 %34, ptr %3, align 4
  br label %14, !llvm.loop !12

35:                                               ; preds = %23
  %36 = load i32, ptr %3, align 4
  %37 = add nsw i32 %36, 1
  %38 = sext i32 %37 to i64
  %39 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %38
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %39, ptr align 8 %2, i64 40, i1 false)
  br label %40

40:                                               ; preds = %35
  %41 = load i32, ptr %1, align 4
  %42 = add nsw i32 %41, 1
  store i32 %42, ptr %1, align 4
  br label %4, !llvm.loop !13

43:                                               ; preds = %4
  ret void
}

; Function Attrs: nocallback nofree nounwind willreturn memory(argmem: readwrite)
declare void @llvm.memcpy.p0.p0.i64(ptr noalias nocapture writeonly, ptr noalias nocapture readonly, i64, i1 immarg) #4

; Function Attrs: noinline nounwind uwtable
define internal i32 @plugin_before(ptr noundef %0, ptr noundef %1) #0 {
  %3 = alloca i32, align 4
  %4 = alloca ptr, align 8
  %5 = alloca ptr, align 8
  store ptr %0, ptr %4, align 8
  store ptr %1, ptr %5, align 8
  %6 = load ptr, ptr %4, align 8
  %7 = getelementptr inbounds %struct.plugin, ptr %6, i32 0, i32 3
  %8 = load i32, ptr %7, align 8
  %9 = load ptr, ptr %5, align 8
  %10 = getelementptr inbounds %struct.plugin, ptr %9, i32 0, i32 3
  %11 = load i32, ptr %10, align 8
  %12 = icmp ne i32 %8, %11
  br i1 %12, label %13, label %22

13:                                               ; preds = %2
  %14 = load ptr, ptr %4, align 8
  %15 = getelementptr inbounds %struct.plugin, ptr %14, i32 0, i32 3
  %16 = load i32, ptr %15, align 8
  %17 = load ptr, ptr %5, align 8
  %18 = getelementptr inbounds %struct.plugin, ptr %17, i32 0, i32 3
  %19 = load i32, ptr %18, align 8
  %20 = icmp slt i32 %16, %19
  %21 = zext i1 %20 to i32
  store i32 %21, ptr %3, align 4
  br label %32

22:                                               ; preds = %2
  %23 = load ptr, ptr %4, align 8
  %24 = getelementptr inbounds %struct.plugin, ptr %23, i32 0, i32 0
  %25 = load ptr, ptr %24, align 8
  %26 = load ptr, ptr %5, align 8
  %27 = getelementptr inbounds %struct.plugin, ptr %26, i32 0, i32 0
  %28 = load ptr, ptr %27, align 8
  %29 = call i32 @strcmp(ptr noundef %25, ptr noundef %28) #5
  %30 = icmp slt i32 %29, 0
  %31 = zext i1 %30 to i32
  store i32 %31, ptr %3, align 4
  br label %32

32:                                               ; preds = %22, %13
  %33 = load i32, ptr %3, align 4
  ret i32 %33
}

; Function Attrs: nounwind willreturn memory(read)
declare i32 @strcmp(ptr noundef, ptr noundef) #3

; Function Attrs: noinline nounwind uwtable
define void @registry_foreach(ptr noundef %0, ptr noundef %1) #0 {
  %3 = alloca ptr, align 8
  %4 = alloca ptr, align 8
  %5 = alloca i32, align 4
  store ptr %0, ptr %3, align 8
  store ptr %1, ptr %4, align 8
  store i32 0, ptr %5, align 4
  br label %6

6:                                                ; preds = %16, %2
  %7 = load i32, ptr %5, align 4
  %8 = load i32, ptr @count.56, align 4
  %9 = icmp slt i32 %7, %8
  br i1 %9, label %10, label %19

10:                                               ; preds = %6
  %11 = load ptr, ptr %3, align 8
  %12 = load i32, ptr %5, align 4
  %13 = sext i32 %12 to i64
  %14 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %13
  %15 = load ptr, ptr %4, align 8
  call void %11(ptr noundef %14, ptr noundef %15)
  br label %16

16:                                               ; preds = %10
  %17 = load i32, ptr %5, align 4
  %18 = add nsw i32 %17, 1
  store i32 %18, ptr %5, align 4
  br label %6, !llvm.loop !14

19:                                               ; preds = %6
  ret void
}

; Function Attrs: noinline nounwind uwtable
define i64 @registry_apply_all(i64 noundef %0) #0 {
  %2 = alloca i64, align 8
  %3 = alloca i64, align 8
  %4 = alloca i32, align 4
  store i64 %0, ptr %2, align 8
  %5 = load i64, ptr %2, align 8
  %6 = call i64 @wrap_mod(i64 noundef %5, i64 noundef 1000003)
  store i64 %6, ptr %3, align 8
  store i32 0, ptr %4, align 4
  br label %7

7:                                                ; preds = %25, %1
  %8 = load i32, ptr %4, align 4
  %9 = load i32, ptr @count.56, align 4
  %10 = icmp slt i32 %8, %9
  br i1 %10, label %11, label %28

11:                                               ; preds = %7
  %12 = load i32, ptr %4, align 4
  %13 = sext i32 %12 to i64
  %14 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %13
  %15 = getelementptr inbounds %struct.plugin, ptr %14, i32 0, i32 1
  %16 = load ptr, ptr %15, align 8
  %17 = load i64, ptr %3, align 8
  %18 = load i32, ptr %4, align 4
  %19 = sext i32 %18 to i64
  %20 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %19
  %21 = getelementptr inbounds %struct.plugin, ptr %20, i32 0, i32 2
  %22 = load i64, ptr %21, align 8
  %23 = call i64 %16(i64 noundef %17, i64 noundef %22)
  %24 = call i64 @wrap_mod(i64 noundef %23, i64 noundef 1000003)
  store i64 %24, ptr %3, align 8
  br label %25

25:                                               ; preds = %11
  %26 = load i32, ptr %4, align 4
  %27 = add nsw i32 %26, 1
  store i32 %27, ptr %4, align 4
  br label %7, !llvm.loop !15

28:                                               ; preds = %7
  %29 = load i64, ptr %3, align 8
  %30 = call i64 @registry_finalize(i64 noundef %29)
  ret i64 %30
}

; Function Attrs: noinline nounwind uwtable
define i64 @registry_checksum() #0 {
  %1 = alloca i64, align 8
  %2 = alloca i32, align 4
  %3 = alloca ptr, align 8
  store i64 1469598103934665603, ptr %1, align 8
  store i32 0, ptr %2, align 4
  br label %4

4:                                                ; preds = %45, %0
  %5 = load i32, ptr %2, align 4
  %6 = load i32, ptr @count.56, align 4
  %7 = icmp slt i32 %5, %6
  br i1 %7, label %8, label %48

8:                                                ; preds = %4
  %9 = load i32, ptr %2, align 4
  %10 = sext i32 %9 to i64
  %11 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %10
  %12 = getelementptr inbounds %struct.plugin, ptr %11, i32 0, i32 0
  %13 = load ptr, ptr %12, align 8
  store ptr %13, ptr %3, align 8
  br label %14

14:                                               ; preds = %25, %8
  %15 = load ptr, ptr %3, align 8
  %16 = load i8, ptr %15, align 1
  %17 = icmp ne i8 %16, 0
  br i1 %17, label %18, label %28

18:                                               ; preds = %14
  %19 = load i64, ptr %1, align 8
  %20 = load ptr, ptr %3, align 8
  %21 = load i8, ptr %20, align 1
  %22 = zext i8 %21 to i64
  %23 = xor i64 %19, %22
  %24 = mul i64 %23, 1099511628211
  store i64 %24, ptr %1, align 8
  br label %25

25:                                               ; preds = %18
  %26 = load ptr, ptr %3, align 8
  %27 = getelementptr inbounds i8, ptr %26, i32 1
  store ptr %27, ptr %3, align 8
  br label %14, !llvm.loop !16

28:                                               ; preds = %14
  %29 = load i64, ptr %1, align 8
  %30 = load i32, ptr %2, align 4
  %31 = sext i32 %30 to i64
  %32 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %31
  %33 = getelementptr inbounds %struct.plugin, ptr %32, i32 0, i32 2
  %34 = load i64, ptr %33, align 8
  %35 = xor i64 %29, %34
  %36 = load i32, ptr %2, align 4
  %37 = sext i32 %36 to i64
  %38 = getelementptr inbounds [32 x %struct.plugin], ptr @table, i64 0, i64 %37
  %39 = getelementptr inbounds %struct.plugin, ptr %38, i32 0, i32 3
  %40 = load i32, ptr %39, align 8
  %41 = sext i32 %40 to i64
  %42 = shl i64 %41, 40
  %43 = xor i64 %35, %42
  %44 = call i64 @mix64.81(i64 noundef %43)
  store i64 %44, ptr %1, align 8
  br label %45

45:                                               ; preds = %28
  %46 = load i32, ptr %2, align 4
  %47 = add nsw i32 %46, 1
  store i32 %47, ptr %2, align 4
  br label %4, !llvm.loop !17

48:                                               ; preds = %4
  %49 = load i64, ptr %1, align 8
  %50 = lshr i64 %49, 1
  ret i64 %50
}

; Function Attrs: noinline nounwind uwtable
define internal i64 @mix64.81(i64 noundef %0) #0 {
  %2 = alloca i64, align 8
  store i64 %0, ptr %2, align 8
  %3 = load i64, ptr %2, align 8
  %4 = lshr i64 %3, 33
  %5 = load i64, ptr %2, align 8
  %6 = xor i64 %5, %4
  store i64 %6, ptr %2, align 8
  %7 = load i64, ptr %2, align 8
  %8 = mul i64 %7, -49064778989728563
  store i64 %8, ptr %2, align 8
  %9 = load i64, ptr %2, align 8
  %10 = lshr i64 %9, 33
  %11 = load i64, ptr %2, align 8
  %12 = xor i64 %11, %10
  store i64 %12, ptr %2, align 8
  %13 = load i64, ptr %2, align 8
  %14 = mul i64 %13, -4265267296055464877
  store i64 %14, ptr %2, align 8
  %15 = load i64, ptr %2, align 8
  %16 = lshr i64 %15, 33
  %17 = load i64, ptr %2, align 8
  %18 = xor i64 %17, %16
  store i64 %18, ptr %2, align 8
  %19 = load i64, ptr %2, align 8
  ret i64 %19
}

attributes #0 = { noinline nounwind uwtable "frame-pointer"="all" "min-legal-vector-width"="0" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #1 = { "frame-pointer"="all" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #2 = { nocallback nofree nounwind willreturn memory(argmem: write) }
attributes #3 = { nounwind willreturn memory(read) "frame-pointer"="all" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="x86-64" "target-features"="+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" "tune-cpu"="generic" }
attributes #4 = { nocallback nofree nounwind willreturn memory(argmem: readwrite) }
attributes #5 = { nounwind willreturn memory(read) }

!llvm.ident = !{!0, !0, !0, !0}
!llvm.module.flags = !{!1, !2, !3, !4}

!0 = !{!"Debian clang version 19.1.7 (3~deb12u1)"}
!1 = !{i32 1, !"wchar_size", i32 4}
!2 = !{i32 8, !"PIC Level", i32 2}
!3 = !{i32 7, !"uwtable", i32 2}
!4 = !{i32 7, !"frame-pointer", i32 2}
!5 = distinct !{!5, !6}
!6 = !{!"llvm.loop.mustprogress"}
!7 = distinct !{!7, !6}
!8 = distinct !{!8, !6}
!9 = distinct !{!9, !6}
!10 = distinct !{!10, !6}
!11 = distinct !{!11, !6}
!12 = distinct !{!12, !6}
!13 = distinct !{!13, !6}
!14 = distinct !{!14, !6}
!15 = distinct !{!15, !6}
!16 = distinct !{!16, !6}
!17 = distinct !{!17, !6}
